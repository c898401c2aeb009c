import type { TFunction } from 'i18next';
import { type FormEvent, lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Route, Routes } from 'react-router';
import { api } from '../../api';
import type { Bid, Call, Organisation } from '../../api/types';
import { useApi, usePaged } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async, ErrorNotice, Loading } from '../../components/Async';
import { BidStatusBadge, bidFigures, CallSummary } from '../../components/Calls';
import { FormAlert, TextArea, TextField, useSubmit } from '../../components/Form';
import { PagedList } from '../../components/PagedList';
import { minorDigits, useFormat } from '../../i18n/format';
import { Fulfilment } from './Fulfilment';

const Lots = lazy(() => import('./Lots'));
/** An organisation's earnings: the ledger's views, proofs and chart in their own chunk. */
const PartnerEarnings = lazy(() => import('./PartnerEarnings'));

/**
 * The partner console: open calls for production and my organisations' bids; production lots; orders to
 * ship (fulfilment); my organisations' earnings.
 */
export default function PartnerConsole() {
  const { t } = useTranslation();
  usePageTitle(t('partner.title'));
  const orgs = useApi(() => api.organisations.mine().then((r) => r.items), []);
  return (
    <div className="console partner-console">
      <h1>{t('partner.title')}</h1>
      <nav aria-label={t('partner.nav')} className="tabs">
        <NavLink to="/partner" end>
          {t('partner.bidsTab')}
        </NavLink>
        <NavLink to="/partner/lots">{t('lots.tab')}</NavLink>
        <NavLink to="/partner/fulfilment">{t('fulfilment.tab')}</NavLink>
        <NavLink to="/partner/earnings">{t('partner.earningsTab')}</NavLink>
      </nav>
      <Async state={orgs.state} reload={orgs.reload}>
        {(mine) =>
          mine.length === 0 ? (
            <p className="empty">{t('partner.noOrganisations')}</p>
          ) : (
            <>
              <p className="lede">{t('partner.actingFor', { names: mine.map((o) => o.name).join(t('common.listSeparator')) })}</p>
              <Routes>
                <Route index element={<Bidding orgs={mine} />} />
                <Route
                  path="lots"
                  element={
                    <Suspense fallback={<Loading />}>
                      <Lots orgs={mine} />
                    </Suspense>
                  }
                />
                <Route path="fulfilment" element={<Fulfilment orgs={mine} />} />
                <Route
                  path="earnings"
                  element={
                    <Suspense fallback={<Loading />}>
                      <PartnerEarnings orgs={mine} />
                    </Suspense>
                  }
                />
              </Routes>
            </>
          )
        }
      </Async>
    </div>
  );
}

/** Open calls with my organisations' bids, and my bids' outcomes. */
function Bidding({ orgs }: { orgs: Organisation[] }) {
  const [tick, setTick] = useState(0);
  return (
    <>
      <OpenCalls orgs={orgs} onChanged={() => setTick((n) => n + 1)} />
      <MyBids tick={tick} />
    </>
  );
}

function OpenCalls({ orgs, onChanged }: { orgs: Organisation[]; onChanged: () => void }) {
  const { t } = useTranslation();
  const calls = usePaged((cursor) => api.calls.list({ state: 'open', limit: 20, cursor }), []);
  return (
    <section aria-labelledby="partner-calls">
      <h2 id="partner-calls">{t('partner.openCalls')}</h2>
      <PagedList
        list={calls}
        empty={t('partner.noCalls')}
        render={(call) => (
          <li key={call.id} className="card call-card">
            <CallSummary call={call} />
            <CallBids call={call} orgs={orgs} onChanged={onChanged} />
          </li>
        )}
      />
    </section>
  );
}

/** My organisations' bids on one call: submit, change or withdraw each until the deadline. */
function CallBids({ call, orgs, onChanged }: { call: Call; orgs: Organisation[]; onChanged: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const bids = useApi(() => api.calls.bids(call.id).then((r) => r.items), [call.id]);
  const [editing, setEditing] = useState<string>();
  const [withdrawError, setWithdrawError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function withdraw(org: Organisation) {
    setBusy(true);
    setWithdrawError(undefined);
    try {
      await api.calls.withdrawBid(call.id, org.id);
      bids.reload();
      onChanged();
    } catch (err) {
      setWithdrawError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Async state={bids.state} reload={bids.reload}>
      {(list) => (
        <div className="my-call-bids">
          {withdrawError !== undefined && <ErrorNotice error={withdrawError} />}
          {orgs.map((org) => {
            const bid = list.find((b) => b.organisationId === org.id && b.status !== 'withdrawn');
            return (
              <div key={org.id} className="org-bid">
                <div className="participant-row">
                  <div>
                    <strong>{org.name}</strong> {bid && <BidStatusBadge status={bid.status} />}
                    <p className="meta">{bid ? bidFigures(t, f, bid) : t('partner.noBidYet')}</p>
                  </div>
                  {editing !== org.id && (
                    <div className="actions">
                      <button type="button" className="btn btn-small btn-primary" onClick={() => setEditing(org.id)}>
                        {bid ? t('partner.changeBid') : t('partner.bidFor', { name: org.name })}
                      </button>
                      {bid && (
                        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void withdraw(org)}>
                          {t('partner.withdraw')}
                        </button>
                      )}
                    </div>
                  )}
                </div>
                {editing === org.id && (
                  <BidForm
                    call={call}
                    org={org}
                    bid={bid}
                    onCancel={() => setEditing(undefined)}
                    onDone={() => {
                      setEditing(undefined);
                      bids.reload();
                      onChanged();
                    }}
                  />
                )}
              </div>
            );
          })}
        </div>
      )}
    </Async>
  );
}

/** The server's wording for bid problems, in the UI's language where known. */
function bidMessage(t: TFunction, message: string | undefined): string | undefined {
  if (!message) return undefined;
  if (/at least minQuantity/.test(message)) return t('partner.errors.maxBelowMin');
  const wanted = /more than the (\d+) wanted/.exec(message);
  if (wanted) return t('partner.errors.minAboveWanted', { n: wanted[1] });
  if (/currency/.test(message)) return t('partner.errors.currency');
  return message;
}

function BidForm({
  call,
  org,
  bid,
  onDone,
  onCancel,
}: {
  call: Call;
  org: Organisation;
  bid?: Bid;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const currency = call.targetUnitPrice.currency;
  const digits = minorDigits(currency);
  const [unitCost, setUnitCost] = useState(bid ? String(bid.unitCost.amount / 10 ** digits) : '');
  const [minQuantity, setMin] = useState(bid ? String(bid.minQuantity) : '');
  const [maxQuantity, setMax] = useState(bid ? String(bid.maxQuantity) : String(call.quantity));
  const [leadTimeDays, setLead] = useState(bid ? String(bid.leadTimeDays) : '');
  const [capacityPerWeek, setCapacity] = useState(bid ? String(bid.capacityPerWeek) : '');
  const [sampleOffered, setSample] = useState(bid?.sampleOffered ?? false);
  const [notes, setNotes] = useState(bid?.notes ?? '');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit({ 409: 'partner.errors.closed' });
  const err = (path: string) => problems[path] ?? bidMessage(t, submit.fieldError(path));

  async function send(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    const int = (v: string, path: string) => {
      const ok = /^\d{1,9}$/.test(v.trim()) && Number(v) >= 1;
      if (!ok) found[path] = v.trim() ? t('partner.errors.wholeNumber') : t('fieldErrors.required');
      return Number(v);
    };
    const costOk = new RegExp(`^\\d{1,12}(\\.\\d{1,${Math.max(digits, 1)}})?$`).test(unitCost.trim());
    const amount = Math.round(Number(unitCost) * 10 ** digits);
    if (!unitCost.trim()) found.unitCost = t('fieldErrors.required');
    else if (!costOk || amount < 1) found.unitCost = t('agreement.errors.amount');
    const min = int(minQuantity, 'minQuantity');
    const max = int(maxQuantity, 'maxQuantity');
    const lead = int(leadTimeDays, 'leadTimeDays');
    const capacity = int(capacityPerWeek, 'capacityPerWeek');
    if (!found.minQuantity && !found.maxQuantity && max < min) found.maxQuantity = t('partner.errors.maxBelowMin');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const saved = await submit.run(() =>
      api.calls.submitBid(call.id, org.id, {
        unitCost: { amount, currency },
        minQuantity: min,
        maxQuantity: max,
        leadTimeDays: lead,
        capacityPerWeek: capacity,
        sampleOffered,
        notes: notes.trim(),
      }),
    );
    if (saved) onDone();
  }

  return (
    <form className="form bid-form" onSubmit={send} noValidate aria-label={t('partner.bidFor', { name: org.name })}>
      <div className="inline-fields">
        <TextField
          label={t('partner.unitCost', { currency })}
          inputMode="decimal"
          value={unitCost}
          onChange={(e) => setUnitCost(e.target.value)}
          error={err('unitCost')}
        />
        <TextField
          label={t('partner.leadTimeDays')}
          inputMode="numeric"
          value={leadTimeDays}
          onChange={(e) => setLead(e.target.value)}
          error={err('leadTimeDays')}
        />
      </div>
      <div className="inline-fields">
        <TextField
          label={t('partner.minQuantity')}
          inputMode="numeric"
          value={minQuantity}
          onChange={(e) => setMin(e.target.value)}
          error={err('minQuantity')}
        />
        <TextField
          label={t('partner.maxQuantity')}
          inputMode="numeric"
          value={maxQuantity}
          onChange={(e) => setMax(e.target.value)}
          error={err('maxQuantity')}
        />
      </div>
      <TextField
        label={t('partner.capacityPerWeek')}
        inputMode="numeric"
        value={capacityPerWeek}
        onChange={(e) => setCapacity(e.target.value)}
        error={err('capacityPerWeek')}
      />
      <label className="choice">
        <input type="checkbox" checked={sampleOffered} onChange={(e) => setSample(e.target.checked)} />
        {t('partner.sampleOffered')}
      </label>
      <TextArea
        label={t('partner.notes')}
        rows={2}
        maxLength={5000}
        value={notes}
        onChange={(e) => setNotes(e.target.value)}
        error={err('notes')}
      />
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {bid ? t('partner.saveBid') : t('partner.submitBid')}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </p>
    </form>
  );
}

function MyBids({ tick }: { tick: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  const bids = usePaged((cursor) => api.calls.myBids({ limit: 20, cursor }), [tick]);
  return (
    <section aria-labelledby="partner-my-bids">
      <h2 id="partner-my-bids">{t('partner.myBids')}</h2>
      <PagedList
        list={bids}
        empty={t('partner.noBids')}
        render={(bid) => (
          <li key={bid.id} className="card">
            <div className="card-head">
              <strong>{bid.organisationName}</strong>
              <BidStatusBadge status={bid.status} />
            </div>
            <p className="meta">{bidFigures(t, f, bid)}</p>
            {bid.status === 'awarded' && bid.awardedQuantity !== null && (
              <p className="notice notice-ok">
                {t('partner.awarded', { count: bid.awardedQuantity, n: f.number(bid.awardedQuantity) })}
              </p>
            )}
            {bid.status === 'lost' && <p className="notice">{t('partner.lost')}</p>}
            <details>
              <summary>{t('partner.theCall')}</summary>
              <CallSummary call={bid.call} />
            </details>
          </li>
        )}
      />
    </section>
  );
}
