import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api';
import type { Payment } from '../../api/types';
import { useApi, usePaged } from '../../app/useApi';
import { ConfirmOrRefuse } from '../../components/ConfirmOrRefuse';
import { campaignProblem } from '../../components/campaignProblems';
import { FormAlert } from '../../components/Form';
import { PagedList } from '../../components/PagedList';
import { useFormat } from '../../i18n/format';

/** Bank transfers waiting for an operator: confirm the money arrived (the order is paid) or that it never will. */
export function PaymentsDesk() {
  const { t } = useTranslation();
  const f = useFormat();
  const list = usePaged((cursor) => api.payments.list({ provider: 'manual', state: 'pending', limit: 50, cursor }), []);
  const [done, setDone] = useState<string>();
  const decided = (p: Payment) => {
    list.update((items) => items.filter((x) => x.id !== p.id));
    setDone(p.state === 'captured' ? t('paymentsDesk.confirmed', { amount: f.money(p.amount) }) : t('paymentsDesk.rejected'));
  };
  return (
    <section aria-labelledby="payments-desk">
      <div className="section-head">
        <h2 id="payments-desk">{t('paymentsDesk.title')}</h2>
        <button type="button" className="btn btn-small" onClick={list.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <p className="hint">{t('paymentsDesk.hint')}</p>
      {done && (
        <p className="notice notice-ok" role="status">
          {done}
        </p>
      )}
      <PagedList
        list={list}
        empty={t('paymentsDesk.none')}
        render={(p) => <TransferRow key={p.id} payment={p} onDecided={decided} />}
      />
    </section>
  );
}

function TransferRow({ payment, onDecided }: { payment: Payment; onDecided: (p: Payment) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const order = useApi(() => api.orders.get(payment.orderId), [payment.orderId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function decide(action: () => Promise<Payment>): Promise<boolean> {
    setBusy(true);
    setError(undefined);
    try {
      onDecided(await action());
      return true;
    } catch (err) {
      setError(campaignProblem(t, f, err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  const o = order.state.status === 'ok' ? order.state.data : undefined;
  return (
    <li className="card transfer">
      <div className="card-head">
        <strong className="price">{f.money(payment.amount)}</strong>
        {payment.nextAction?.reference && <code>{payment.nextAction.reference}</code>}
        <span className="meta">{t('paymentsDesk.since', { date: f.dateTime(payment.createdAt) })}</span>
      </div>
      <p className="meta">
        {o ? (
          <>
            <Link to={`/operator/campaigns/${o.campaignId}`}>{o.campaignTitle}</Link> ·{' '}
            {t('orders.figures', {
              count: o.quantity,
              n: f.number(o.quantity),
              total: f.money(o.total),
              date: f.dateTime(o.createdAt),
            })}
          </>
        ) : (
          <code>{payment.orderId}</code>
        )}
      </p>
      <FormAlert error={error} />
      <ConfirmOrRefuse
        labels={{
          confirm: t('paymentsDesk.confirm', { amount: f.money(payment.amount) }),
          refuse: t('paymentsDesk.reject'),
          reason: t('paymentsDesk.reason'),
          refuseSubmit: t('paymentsDesk.rejectSubmit'),
        }}
        busy={busy}
        onConfirm={() => void decide(() => api.payments.confirm(payment.id))}
        onRefuse={(reason) => decide(() => api.payments.reject(payment.id, reason || undefined))}
      />
    </li>
  );
}
