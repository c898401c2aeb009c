import type { TFunction } from 'i18next';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api';
import type { AwardResult, Call, ComparedBid, Need } from '../../api/types';
import { useApi } from '../../app/useApi';
import { Async } from '../../components/Async';
import { BidStatusBadge, bidFigures, CallSummary } from '../../components/Calls';
import { FormAlert, TextArea, TextField, useSubmit } from '../../components/Form';
import { minorDigits, useFormat } from '../../i18n/format';

const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** A need's calls for production (抢单): open one, compare its bids, award split quantities. */
export function CallsDesk({ need }: { need: Need }) {
  const { t } = useTranslation();
  const calls = useApi(() => api.calls.list({ needId: need.id, limit: 20 }).then((p) => p.items), [need.id]);
  return (
    <section aria-labelledby="desk-calls" className="calls-desk">
      <h3 id="desk-calls">{t('calls.title')}</h3>
      <Async state={calls.state} reload={calls.reload}>
        {(list) => (
          <>
            {list.length === 0 && <p className="empty">{t('calls.none')}</p>}
            <ul className="list">
              {list.map((call) => (
                <li key={call.id} className="card">
                  <CallSummary call={call} needLink={false} />
                  {call.state === 'awarded' ? <Outcome call={call} /> : <Compare call={call} onAwarded={calls.reload} />}
                </li>
              ))}
            </ul>
            {list.every((c) => c.state === 'awarded') && (
              <details className="create-community">
                <summary>{t('calls.open')}</summary>
                <OpenCallForm need={need} onDone={calls.reload} />
              </details>
            )}
          </>
        )}
      </Async>
    </section>
  );
}

function OpenCallForm({ need, onDone }: { need: Need; onDone: () => void }) {
  const { t } = useTranslation();
  const [quantity, setQuantity] = useState('');
  const [currency, setCurrency] = useState('CNY');
  const [price, setPrice] = useState('');
  const [deadline, setDeadline] = useState(() => localInput(new Date(Date.now() + 14 * 86_400_000)));
  const [requirements, setRequirements] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit();
  const err = (path: string) => problems[path] ?? submit.fieldError(path);

  async function open(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    const code = currency.trim().toUpperCase();
    if (!/^\d{1,9}$/.test(quantity.trim()) || Number(quantity) < 1) {
      found.quantity = quantity.trim() ? t('partner.errors.wholeNumber') : t('fieldErrors.required');
    }
    if (!/^[A-Z]{3}$/.test(code)) found['targetUnitPrice.currency'] = t('agreement.errors.currencyCode');
    const digits = /^[A-Z]{3}$/.test(code) ? minorDigits(code) : 2;
    const amount = Math.round(Number(price) * 10 ** digits);
    if (!price.trim()) found['targetUnitPrice.amount'] = t('fieldErrors.required');
    else if (!/^\d{1,12}(\.\d+)?$/.test(price.trim()) || amount < 1)
      found['targetUnitPrice.amount'] = t('agreement.errors.amount');
    const when = new Date(deadline);
    if (Number.isNaN(when.getTime())) found.deadline = t('fieldErrors.required');
    else if (when.getTime() <= Date.now()) found.deadline = t('calls.errors.deadlinePast');
    if (!requirements.trim()) found.requirements = t('fieldErrors.required');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const call = await submit.run(() =>
      api.calls.open({
        needId: need.id,
        quantity: Number(quantity),
        targetUnitPrice: { amount, currency: code },
        deadline: when.toISOString(),
        requirements: requirements.trim(),
      }),
    );
    if (call) onDone();
  }

  return (
    <form className="form open-call" onSubmit={open} noValidate>
      <TextField
        label={t('calls.quantity')}
        inputMode="numeric"
        value={quantity}
        onChange={(e) => setQuantity(e.target.value)}
        error={err('quantity')}
      />
      <div className="inline-fields">
        <TextField
          label={t('agreement.currency')}
          maxLength={3}
          value={currency}
          onChange={(e) => setCurrency(e.target.value)}
          error={err('targetUnitPrice.currency')}
        />
        <TextField
          label={t('calls.targetUnitPrice')}
          inputMode="decimal"
          value={price}
          onChange={(e) => setPrice(e.target.value)}
          error={err('targetUnitPrice.amount') ?? err('targetUnitPrice')}
        />
      </div>
      <TextField
        label={t('calls.deadline')}
        type="datetime-local"
        value={deadline}
        onChange={(e) => setDeadline(e.target.value)}
        error={err('deadline')}
      />
      <TextArea
        label={t('calls.requirements')}
        rows={3}
        maxLength={5000}
        value={requirements}
        onChange={(e) => setRequirements(e.target.value)}
        error={err('requirements')}
      />
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {t('calls.openSubmit')}
        </button>
      </p>
    </form>
  );
}

type Order = 'score' | 'cheapest' | 'fastest';

/** The server's wording for award problems, in the UI's language where known. */
function awardMessage(t: TFunction, message: string | undefined): string | undefined {
  if (!message) return undefined;
  const below = /below the bid’s minimum of (\d+)/.exec(message);
  if (below) return t('calls.errors.belowMin', { n: below[1] });
  const above = /above the bid’s maximum of (\d+)/.exec(message);
  if (above) return t('calls.errors.aboveMax', { n: above[1] });
  const over = /add up to (\d+), more than the (\d+) wanted/.exec(message);
  if (over) return t('calls.errors.over', { total: over[1], wanted: over[2] });
  const under = /add up to (\d+), less than the (\d+) wanted/.exec(message);
  if (under) return t('calls.errors.under', { total: under[1], wanted: under[2] });
  return message;
}

/** Bids side by side (cheapest, fastest, score) with a quantity to award to each. */
function Compare({ call, onAwarded }: { call: Call; onAwarded: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const comparison = useApi(() => api.calls.comparison(call.id), [call.id]);
  const [order, setOrder] = useState<Order>('score');
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [undercover, setUndercover] = useState(false);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [result, setResult] = useState<AwardResult>();
  const submit = useSubmit();

  const sorted = (items: ComparedBid[]) =>
    [...items].sort((a, b) =>
      order === 'cheapest'
        ? a.bid.unitCost.amount - b.bid.unitCost.amount || a.rank - b.rank
        : order === 'fastest'
          ? a.bid.leadTimeDays - b.bid.leadTimeDays || a.rank - b.rank
          : a.rank - b.rank,
    );
  const chosen = Object.entries(quantities).filter(([, q]) => q.trim() !== '');
  const total = chosen.reduce((s, [, q]) => s + (Number(q) || 0), 0);

  async function award(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    for (const [bidId, q] of chosen) {
      if (!/^\d{1,9}$/.test(q.trim()) || Number(q) < 1) found[bidId] = t('partner.errors.wholeNumber');
    }
    if (chosen.length === 0) found.awards = t('calls.errors.noAward');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const awards = chosen.map(([bidId, q]) => ({ bidId, quantity: Number(q) }));
    const done = await submit.run(() => api.calls.award(call.id, { awards, allowUndercover: undercover }));
    if (done) setResult(done);
  }
  /** The problem for a bid's quantity: the client's, or the server's `awards.N.*` mapped back to the bid. */
  const bidError = (bidId: string) => {
    if (problems[bidId]) return problems[bidId];
    const i = chosen.findIndex(([id]) => id === bidId);
    return i < 0 ? undefined : awardMessage(t, submit.fieldError(`awards.${i}`));
  };

  if (result) {
    return (
      <div className="notice notice-ok" role="status">
        <p>{t('calls.awardedNotice', { n: f.number(result.call.awardedQuantity ?? 0) })}</p>
        <p className="actions">
          <Link className="btn btn-small" to={`/chain-groups/${result.chainGroupId}`}>
            {t('calls.toChainGroup')}
          </Link>
          <button type="button" className="btn btn-small" onClick={onAwarded}>
            {t('common.refresh')}
          </button>
        </p>
      </div>
    );
  }

  return (
    <Async state={comparison.state} reload={comparison.reload}>
      {(c) =>
        c.items.length === 0 ? (
          <p className="empty">{t('calls.noBids')}</p>
        ) : (
          <form className="form award-form" onSubmit={award} noValidate>
            <div className="section-head">
              <h4>{t('calls.compare', { count: c.items.length, n: f.number(c.items.length) })}</h4>
              <fieldset className="segmented">
                <legend className="sr-only">{t('common.sortBy')}</legend>
                {(['score', 'cheapest', 'fastest'] as const).map((o) => (
                  <button key={o} type="button" aria-pressed={order === o} onClick={() => setOrder(o)}>
                    {t(`calls.order.${o}`)}
                  </button>
                ))}
              </fieldset>
            </div>
            <ul className="list compact-list">
              {sorted(c.items).map((item) => (
                <li key={item.bid.id} className="card compared-bid">
                  <div className="card-head">
                    <strong>
                      {t('calls.rank', { rank: item.rank })} · {item.bid.organisationName}
                    </strong>
                    {item.cheapest && <span className="badge badge-ok">{t('calls.cheapest')}</span>}
                    {item.fastest && <span className="badge badge-ok">{t('calls.fastest')}</span>}
                    <span className="badge badge-soft">{t('calls.score', { score: f.bps(item.scoreBps) })}</span>
                  </div>
                  <p className="meta">{bidFigures(t, f, item.bid)}</p>
                  {item.bid.notes && <p className="bid-notes">{item.bid.notes}</p>}
                  <TextField
                    className="award-quantity"
                    label={t('calls.awardQuantity', { name: item.bid.organisationName })}
                    inputMode="numeric"
                    placeholder={t('calls.awardPlaceholder', {
                      min: f.number(item.bid.minQuantity),
                      max: f.number(item.bid.maxQuantity),
                    })}
                    value={quantities[item.bid.id] ?? ''}
                    onChange={(e) => setQuantities((old) => ({ ...old, [item.bid.id]: e.target.value }))}
                    error={bidError(item.bid.id)}
                  />
                </li>
              ))}
            </ul>
            <p className="hint">{t('calls.formula')}</p>
            <p className="meta" aria-live="polite">
              {t('calls.awardTotal', { total: f.number(total), wanted: f.number(call.quantity) })}
            </p>
            {(problems.awards ?? submit.fields.awards) && (
              <p className="field-error" role="alert">
                {problems.awards ?? awardMessage(t, submit.fields.awards)}
              </p>
            )}
            <label className="choice">
              <input type="checkbox" checked={undercover} onChange={(e) => setUndercover(e.target.checked)} />
              {t('calls.allowUndercover')}
            </label>
            <FormAlert error={submit.error} />
            <p className="actions">
              <button type="submit" className="btn btn-primary" disabled={submit.busy}>
                {t('calls.award')}
              </button>
            </p>
          </form>
        )
      }
    </Async>
  );
}

/** An awarded call: every bid with its outcome. */
function Outcome({ call }: { call: Call }) {
  const { t } = useTranslation();
  const f = useFormat();
  const bids = useApi(() => api.calls.bids(call.id).then((r) => r.items), [call.id]);
  return (
    <Async state={bids.state} reload={bids.reload}>
      {(list) => (
        <ul className="list compact-list">
          {list.map((bid) => (
            <li key={bid.id} className="card">
              <div className="card-head">
                <strong>{bid.organisationName}</strong>
                <BidStatusBadge status={bid.status} />
                {bid.awardedQuantity !== null && (
                  <span className="badge badge-soft">
                    {t('calls.units', { count: bid.awardedQuantity, n: f.number(bid.awardedQuantity) })}
                  </span>
                )}
              </div>
              <p className="meta">{bidFigures(t, f, bid)}</p>
            </li>
          ))}
        </ul>
      )}
    </Async>
  );
}
