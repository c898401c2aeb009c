import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import type { Payout, PayoutBatch, PayoutBatchDetail, PayoutState } from '../../api/types';
import { useApi, usePaged } from '../../app/useApi';
import { Async, errorMessage } from '../../components/Async';
import { ConfirmOrRefuse } from '../../components/ConfirmOrRefuse';
import { FormAlert, TextField, useSubmit } from '../../components/Form';
import { PagedList } from '../../components/PagedList';
import { minorDigits, useFormat } from '../../i18n/format';

const STATE_CLASS: Record<PayoutState, string> = {
  pending: 'badge badge-warn',
  paid: 'badge badge-ok',
  failed: 'badge badge-err',
};

/** A batch's counts by state, from its payouts (after one was marked paid or failed here). */
function recount(batch: PayoutBatchDetail): PayoutBatchDetail {
  const count = (s: PayoutState) => batch.payouts.filter((p) => p.state === s).length;
  return { ...batch, pending: count('pending'), paid: count('paid'), failed: count('failed') };
}

/**
 * Payouts: a batch pays every member's and organisation's available balance at or above a threshold;
 * its CSV goes to the bank, and each payout is marked paid, or failed (its amount goes back).
 */
export function PayoutsDesk() {
  const { t } = useTranslation();
  const list = usePaged((cursor) => api.ledger.batches({ cursor, limit: 20 }), []);
  const [open, setOpen] = useState<string>();
  const created = (batch: PayoutBatchDetail) => {
    list.update((items) => [batch, ...items.filter((b) => b.id !== batch.id)]);
    setOpen(batch.id);
  };
  const changed = (batch: PayoutBatch) => list.update((items) => items.map((b) => (b.id === batch.id ? batch : b)));
  return (
    <section aria-labelledby="payouts-desk">
      <div className="section-head">
        <h2 id="payouts-desk">{t('payoutsDesk.title')}</h2>
        <button type="button" className="btn btn-small" onClick={list.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <p className="hint">{t('payoutsDesk.hint')}</p>
      <CreateBatch onCreated={created} />
      <section aria-labelledby="payout-batches">
        <h3 id="payout-batches">{t('payoutsDesk.batches')}</h3>
        <PagedList
          list={list}
          empty={t('payoutsDesk.noBatches')}
          render={(b) => (
            <BatchItem
              key={b.id}
              batch={b}
              open={open === b.id}
              onToggle={() => setOpen((o) => (o === b.id ? undefined : b.id))}
              onChanged={changed}
            />
          )}
        />
      </section>
    </section>
  );
}

function CreateBatch({ onCreated }: { onCreated: (batch: PayoutBatchDetail) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [currency, setCurrency] = useState('CNY');
  const [threshold, setThreshold] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string>();
  const submit = useSubmit({ 409: 'payoutsDesk.nobody' });

  async function send(e: FormEvent) {
    e.preventDefault();
    setDone(undefined);
    const found: Record<string, string> = {};
    const code = currency.trim().toUpperCase();
    let digits = 2;
    if (!/^[A-Z]{3}$/.test(code)) found.currency = t('agreement.errors.currencyCode');
    else {
      try {
        digits = minorDigits(code);
      } catch {
        found.currency = t('agreement.errors.currencyCode');
      }
    }
    const ok = new RegExp(`^\\d{1,10}(\\.\\d{1,${Math.max(digits, 1)}})?$`).test(threshold.trim());
    const amount = Math.round(Number(threshold) * 10 ** digits);
    if (!threshold.trim()) found.threshold = t('fieldErrors.required');
    else if (!ok || amount < 1) found.threshold = t('agreement.errors.amount');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const batch = await submit.run(() => api.ledger.createBatch({ currency: code, threshold: amount }));
    if (batch) {
      setDone(t('payoutsDesk.created', { count: batch.count, n: f.number(batch.count), total: f.money(batch.total) }));
      onCreated(batch);
    }
  }

  return (
    <form className="form create-batch" onSubmit={send} noValidate aria-labelledby="create-batch">
      <h3 id="create-batch">{t('payoutsDesk.create')}</h3>
      <div className="inline-fields">
        <TextField
          label={t('payoutsDesk.currency')}
          value={currency}
          maxLength={3}
          autoCapitalize="characters"
          onChange={(e) => setCurrency(e.target.value)}
          error={problems.currency ?? submit.fieldError('currency')}
        />
        <TextField
          label={t('payoutsDesk.threshold', { currency: currency.trim().toUpperCase() || 'CNY' })}
          hint={t('payoutsDesk.thresholdHint')}
          inputMode="decimal"
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
          error={problems.threshold ?? submit.fieldError('threshold')}
        />
      </div>
      <FormAlert error={submit.error} />
      {done && (
        <p className="notice notice-ok" role="status">
          {done}
        </p>
      )}
      <p className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {t('payoutsDesk.createSubmit')}
        </button>
      </p>
    </form>
  );
}

function BatchItem({
  batch,
  open,
  onToggle,
  onChanged,
}: {
  batch: PayoutBatch;
  open: boolean;
  onToggle: () => void;
  onChanged: (batch: PayoutBatch) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const panel = `batch-${batch.id}`;
  return (
    <li className="card payout-batch" data-batch={batch.id}>
      <div className="card-head">
        <strong className="price">{f.money(batch.total)}</strong>
        <span className="meta">
          {t('payoutsDesk.batchFigures', {
            count: batch.count,
            n: f.number(batch.count),
            threshold: f.money({ amount: batch.threshold, currency: batch.currency }),
            date: f.dateTime(batch.createdAt),
          })}
        </span>
      </div>
      <ul className="chips">
        {(['pending', 'paid', 'failed'] as const).map((s) => (
          <li key={s} data-state={s}>
            <span className={STATE_CLASS[s]}>{t(`payoutsDesk.state.${s}`)}</span> {f.number(batch[s])}
          </li>
        ))}
      </ul>
      <p className="actions">
        <button type="button" className="btn btn-small" aria-expanded={open} aria-controls={panel} onClick={onToggle}>
          {open ? t('payoutsDesk.hidePayouts') : t('payoutsDesk.showPayouts')}
        </button>
        <a className="btn btn-small" href={api.ledger.batchCsvUrl(batch.id)} download>
          {t('payoutsDesk.csv')}
        </a>
      </p>
      {open && (
        <div id={panel}>
          <BatchPayouts id={batch.id} onChanged={onChanged} />
        </div>
      )}
    </li>
  );
}

function BatchPayouts({ id, onChanged }: { id: string; onChanged: (batch: PayoutBatch) => void }) {
  const { t } = useTranslation();
  const detail = useApi(() => api.ledger.batch(id), [id]);
  const settled = (payout: Payout) =>
    detail.set((d) => recount({ ...d, payouts: d.payouts.map((p) => (p.id === payout.id ? payout : p)) }));
  // The batch's card shows its counts by state: as loaded, then after each payout settled here.
  const loaded = detail.state.data;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the batch's data is what changes
  useEffect(() => {
    if (loaded) onChanged(loaded);
  }, [loaded]);
  return (
    <Async state={detail.state} reload={detail.reload}>
      {(d) => (
        <div className="table-wrap">
          <table className="data payouts">
            <caption className="sr-only">{t('payoutsDesk.payoutsOf')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('payoutsDesk.reference')}</th>
                <th scope="col">{t('payoutsDesk.party')}</th>
                <th scope="col" className="num">
                  {t('payoutsDesk.amount')}
                </th>
                <th scope="col">{t('payoutsDesk.stateLabel')}</th>
                <th scope="col">{t('payoutsDesk.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {d.payouts.map((p) => (
                <PayoutRow key={p.id} payout={p} onSettled={settled} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Async>
  );
}

function PayoutRow({ payout, onSettled }: { payout: Payout; onSettled: (p: Payout) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function settle(action: () => Promise<Payout>): Promise<boolean> {
    setBusy(true);
    setError(undefined);
    try {
      onSettled(await action());
      return true;
    } catch (err) {
      setError(errorMessage(t, err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  return (
    <tr data-payout={payout.id} data-state={payout.state}>
      <td>
        <code>{payout.reference}</code>
      </td>
      <td>
        {payout.party.name} <span className="badge badge-soft">{t(`payoutsDesk.partyKind.${payout.party.kind}`)}</span>
      </td>
      <td className="num">{f.money(payout.amount)}</td>
      <td>
        <span className={STATE_CLASS[payout.state]}>{t(`payoutsDesk.state.${payout.state}`)}</span>
        {payout.settledAt && <p className="meta">{f.dateTime(payout.settledAt)}</p>}
        {payout.failureReason && <p className="meta">{payout.failureReason}</p>}
      </td>
      <td>
        <FormAlert error={error} />
        {payout.state === 'pending' && (
          <ConfirmOrRefuse
            labels={{
              confirm: t('payoutsDesk.markPaid'),
              refuse: t('payoutsDesk.markFailed'),
              reason: t('payoutsDesk.reason'),
              refuseSubmit: t('payoutsDesk.failSubmit'),
            }}
            busy={busy}
            reasonRequired
            onConfirm={() => void settle(() => api.ledger.markPaid(payout.id))}
            onRefuse={(reason) => settle(() => api.ledger.markFailed(payout.id, reason))}
          />
        )}
      </td>
    </tr>
  );
}
