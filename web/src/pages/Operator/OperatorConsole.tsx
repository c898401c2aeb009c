import { useTranslation } from 'react-i18next';
import { NavLink, Route, Routes } from 'react-router';
import { usePageTitle } from '../../app/usePageTitle';
import { CampaignDetail } from './CampaignDetail';
import { CampaignsDesk } from './CampaignsDesk';
import { CommunitySettings } from './CommunitySettings';
import { LedgerDesk } from './LedgerDesk';
import { LogDesk } from './LogDesk';
import { Moderation } from './Moderation';
import { NeedDesk } from './NeedDesk';
import { PaymentsDesk } from './PaymentsDesk';
import { PayoutsDesk } from './PayoutsDesk';
import { ReviewQueue } from './ReviewQueue';

/** The operator console: its own lazily loaded chunk. */
export default function OperatorConsole() {
  const { t } = useTranslation();
  usePageTitle(t('operator.title'));
  return (
    <div className="console">
      <h1>{t('operator.title')}</h1>
      <nav aria-label={t('operator.nav')} className="tabs">
        <NavLink to="/operator" end>
          {t('operator.review')}
        </NavLink>
        <NavLink to="/operator/communities">{t('operator.communities')}</NavLink>
        <NavLink to="/operator/moderation">{t('operator.moderation')}</NavLink>
        <NavLink to="/operator/campaigns">{t('operator.campaigns')}</NavLink>
        <NavLink to="/operator/payments">{t('operator.payments')}</NavLink>
        <NavLink to="/operator/log">{t('operator.log')}</NavLink>
        <NavLink to="/operator/ledger">{t('operator.ledger')}</NavLink>
        <NavLink to="/operator/payouts">{t('operator.payouts')}</NavLink>
      </nav>
      <Routes>
        <Route index element={<ReviewQueue />} />
        <Route path="needs/:id" element={<NeedDesk />} />
        <Route path="communities" element={<CommunitySettings />} />
        <Route path="moderation" element={<Moderation />} />
        <Route path="campaigns" element={<CampaignsDesk />} />
        <Route path="campaigns/:id" element={<CampaignDetail />} />
        <Route path="payments" element={<PaymentsDesk />} />
        <Route path="log" element={<LogDesk />} />
        <Route path="ledger" element={<LedgerDesk />} />
        <Route path="payouts" element={<PayoutsDesk />} />
      </Routes>
    </div>
  );
}
