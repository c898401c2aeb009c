import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api';
import type { LedgerOverview } from '../../api/types';
import { useApi } from '../../app/useApi';
import { Async } from '../../components/Async';
import { accountKindLabel } from '../../components/ledgerLabels';
import { useFormat } from '../../i18n/format';

/**
 * The ledger for operators: the trial balance computed from every journal line (balanced when each
 * currency's debits equal its credits) and the totals per account kind.
 */
export function LedgerDesk() {
  const { t } = useTranslation();
  const overview = useApi(() => api.ledger.overview(), []);
  return (
    <section aria-labelledby="ledger-desk" className="ledger-desk">
      <div className="section-head">
        <h2 id="ledger-desk">{t('ledgerDesk.title')}</h2>
        <button type="button" className="btn btn-small" onClick={overview.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <p className="hint">{t('ledgerDesk.hint')}</p>
      <Async state={overview.state} reload={overview.reload}>
        {(o) => <Overview overview={o} />}
      </Async>
      <p className="actions">
        <Link className="btn btn-small" to="/operator/payouts">
          {t('ledgerDesk.toPayouts')}
        </Link>
      </p>
    </section>
  );
}

function Overview({ overview }: { overview: LedgerOverview }) {
  const { t } = useTranslation();
  const f = useFormat();
  const balanced = overview.trialBalance.every((r) => r.difference === 0);
  return (
    <>
      <p className="meta" data-testid="ledger-counts">
        {t('ledgerDesk.counts', {
          entries: f.number(overview.entries),
          lines: f.number(overview.lines),
          sales: f.number(overview.sales),
        })}
      </p>
      <section aria-labelledby="trial-balance" className="card trial-balance">
        <div className="card-head">
          <h3 id="trial-balance">{t('ledgerDesk.trialBalance')}</h3>
          {overview.trialBalance.length > 0 && (
            <span className={`badge ${balanced ? 'badge-ok' : 'badge-err'}`} data-balanced={balanced}>
              {balanced && <span aria-hidden="true">✓ </span>}
              {balanced ? t('ledgerDesk.balanced') : t('ledgerDesk.unbalanced')}
            </span>
          )}
        </div>
        {overview.trialBalance.length === 0 ? (
          <p className="empty">{t('ledgerDesk.noLines')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">{t('ledgerDesk.currency')}</th>
                  <th scope="col" className="num">
                    {t('ledgerDesk.debits')}
                  </th>
                  <th scope="col" className="num">
                    {t('ledgerDesk.credits')}
                  </th>
                  <th scope="col" className="num">
                    {t('ledgerDesk.difference')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {overview.trialBalance.map((r) => (
                  <tr key={r.currency} data-currency={r.currency} data-difference={r.difference}>
                    <th scope="row">{r.currency}</th>
                    <td className="num">{f.money({ amount: r.debits, currency: r.currency })}</td>
                    <td className="num">{f.money({ amount: r.credits, currency: r.currency })}</td>
                    <td className="num">
                      <span className={`badge ${r.difference === 0 ? 'badge-ok' : 'badge-err'}`}>
                        {f.money({ amount: r.difference, currency: r.currency })}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="hint">{t('ledgerDesk.trialHint')}</p>
      </section>
      <section aria-labelledby="ledger-kinds">
        <h3 id="ledger-kinds">{t('ledgerDesk.kinds')}</h3>
        {overview.kinds.length === 0 ? (
          <p className="empty">{t('ledgerDesk.noLines')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data ledger-kinds">
              <thead>
                <tr>
                  <th scope="col">{t('ledgerDesk.kind')}</th>
                  <th scope="col">{t('ledgerDesk.currency')}</th>
                  <th scope="col" className="num">
                    {t('ledgerDesk.accounts')}
                  </th>
                  <th scope="col" className="num">
                    {t('ledgerDesk.debits')}
                  </th>
                  <th scope="col" className="num">
                    {t('ledgerDesk.credits')}
                  </th>
                  <th scope="col" className="num">
                    {t('ledgerDesk.balance')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {overview.kinds.map((k) => (
                  <tr key={`${k.kind}:${k.currency}`} data-kind={k.kind}>
                    <th scope="row">{accountKindLabel(t, k.kind)}</th>
                    <td>{k.currency}</td>
                    <td className="num">{f.number(k.accounts)}</td>
                    <td className="num">{f.money({ amount: k.debits, currency: k.currency })}</td>
                    <td className="num">{f.money({ amount: k.credits, currency: k.currency })}</td>
                    <td className="num">{f.money({ amount: k.balance, currency: k.currency })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="hint">{t('ledgerDesk.kindsHint')}</p>
      </section>
    </>
  );
}
