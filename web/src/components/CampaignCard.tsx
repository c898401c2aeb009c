import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Campaign, CampaignMode, CampaignState, OrderState } from '../api/types';
import { useFormat } from '../i18n/format';

/** A campaign's mode (presale, crowdfunding, flash sale, trial) as a badge. */
export function CampaignModeBadge({ mode }: { mode: CampaignMode }) {
  const { t } = useTranslation();
  return <span className={`badge mode-${mode}`}>{t(`campaignMode.${mode}`)}</span>;
}

/** A campaign's state as a coloured badge. */
export function CampaignStateBadge({ state }: { state: CampaignState }) {
  const { t } = useTranslation();
  const cls =
    state === 'live' ? 'badge-ok' : state === 'scheduled' ? 'badge-warn' : state === 'sold_out' ? 'badge-err' : 'badge-soft';
  return <span className={`badge ${cls}`}>{t(`campaignState.${state}`)}</span>;
}

/** An order's state as a coloured badge. */
export function OrderStateBadge({ state }: { state: OrderState }) {
  const { t } = useTranslation();
  const cls =
    state === 'pending_payment' ? 'badge-warn' : state === 'cancelled' || state === 'refunded' ? 'badge-soft' : 'badge-ok';
  return <span className={`badge ${cls}`}>{t(`orderState.${state}`)}</span>;
}

/** A campaign in a list: title, mode, state, units left and when it starts or ends. */
export function CampaignCard({ campaign, to }: { campaign: Campaign; to?: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const c = campaign;
  return (
    <li className="card campaign-card">
      <div className="card-head">
        <CampaignModeBadge mode={c.mode} />
        <CampaignStateBadge state={c.state} />
        <Link to={to ?? `/campaigns/${c.id}`} className="card-title">
          {c.title}
        </Link>
      </div>
      <p className="meta">
        {c.mode === 'trial'
          ? t('campaign.samplesLeft', { count: c.remaining, n: f.number(c.remaining), quantity: f.number(c.quantity) })
          : t('campaign.unitsLeft', { count: c.remaining, n: f.number(c.remaining), quantity: f.number(c.quantity) })}
        {c.tier && c.mode !== 'trial' && ` · ${f.money(c.tier.unitPrice)}`}
        {' · '}
        {c.state === 'scheduled' || c.state === 'draft'
          ? t('campaign.startsOn', { date: f.dateTime(c.startsAt) })
          : t('campaign.endsOn', { date: f.dateTime(c.endsAt) })}
      </p>
    </li>
  );
}
