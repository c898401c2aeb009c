import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useAuth } from '../../app/auth';
import { usePageTitle } from '../../app/usePageTitle';
import { EarningsView } from '../../components/Earnings';

/**
 * My earnings: what the value I co-created has earned me — balances, totals by purpose and role,
 * earnings per day, each sale with how my part was computed, and my statement.
 */
export default function MyEarningsPage() {
  const { t } = useTranslation();
  usePageTitle(t('earnings.title'));
  const { me } = useAuth();
  if (!me) return null;
  return (
    <article className="earnings">
      <header className="page-head">
        <p className="eyebrow">
          <Link to="/me">{me.displayName}</Link>
        </p>
        <h1>{t('earnings.title')}</h1>
        <p className="lede">{t('earnings.lede')}</p>
      </header>
      <EarningsView party={{ kind: 'member', id: me.id }} />
    </article>
  );
}
