import type { TFunction } from 'i18next';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError, api } from '../../api';
import type { Lot, MyBid, Organisation, Product, QaResult, Shipment } from '../../api/types';
import { useApi, usePaged } from '../../app/useApi';
import { Async } from '../../components/Async';
import { FormAlert, SelectField, TextArea, TextField, useSubmit } from '../../components/Form';
import { PagedList } from '../../components/PagedList';
import { useFormat } from '../../i18n/format';

/** A product my organisations make: the awarded bids it was made against, newest award first. */
interface Made {
  product: Product;
  bids: MyBid[];
}

/** The same rule as the contract's lot number: letters or digits first, then . _ - / and spaces, up to 64. */
const LOT_NUMBER = /^[\p{L}\p{N}][\p{L}\p{N}._\-/ ]{0,63}$/u;
const WHOLE = /^\d{1,9}$/;

/** Today's date in the browser's time zone, as `YYYY-MM-DD`. */
function today(): string {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

/** Every product my organisations hold an awarded bid for: my bids → their needs → the needs' products. */
async function awardedProducts(): Promise<Made[]> {
  const bids: MyBid[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const page = await api.calls.myBids({ limit: 100, cursor });
    bids.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  const awarded = bids
    .filter((b) => b.status === 'awarded')
    .sort((a, b) => (b.call.awardedAt ?? b.updatedAt).localeCompare(a.call.awardedAt ?? a.updatedAt));
  const needIds = [...new Set(awarded.map((b) => b.call.needId))];
  const products = await Promise.all(needIds.map((needId) => api.products.list({ needId, limit: 100 })));
  return products
    .flatMap((p) => p.items)
    .map((product) => ({ product, bids: awarded.filter((b) => b.call.needId === product.needId) }));
}

/** The maker's lots desk: pick a product made against an awarded bid, record its lots, their QA and shipments. */
export default function Lots({ orgs }: { orgs: Organisation[] }) {
  const { t } = useTranslation();
  const made = useApi(awardedProducts, []);
  const [params, setParams] = useSearchParams();
  return (
    <Async state={made.state} reload={made.reload}>
      {(list) => {
        if (list.length === 0) return <p className="empty">{t('lots.noAwards')}</p>;
        const chosen = list.find((m) => m.product.id === params.get('product')) ?? list[0]!;
        return (
          <>
            <label className="inline-select fulfil-filter">
              <span>{t('lots.product')}</span>
              <select value={chosen.product.id} onChange={(e) => setParams({ product: e.target.value }, { replace: true })}>
                {list.map((m) => (
                  <option key={m.product.id} value={m.product.id}>
                    {m.product.name}
                  </option>
                ))}
              </select>
            </label>
            <ProductLots key={chosen.product.id} made={chosen} orgs={orgs} />
          </>
        );
      }}
    </Async>
  );
}

function ProductLots({ made, orgs }: { made: Made; orgs: Organisation[] }) {
  const { t } = useTranslation();
  const lots = usePaged((cursor) => api.lots.list(made.product.id, { limit: 20, cursor }), [made.product.id]);
  const replace = (lot: Lot) => lots.update((items) => items.map((l) => (l.id === lot.id ? lot : l)));
  return (
    <>
      <p className="hint">{t('lots.hint')}</p>
      <section aria-labelledby="lots-new">
        <h2 id="lots-new">{t('lots.newLot')}</h2>
        <RecordLotForm made={made} onDone={(lot) => lots.update((items) => [lot, ...items])} />
      </section>
      <section aria-labelledby="lots-list">
        <h2 id="lots-list">{t('lots.list')}</h2>
        <PagedList
          list={lots}
          empty={t('lots.none')}
          render={(lot) => (
            <LotCard key={lot.id} lot={lot} mine={orgs.some((o) => o.id === lot.organisation.id)} onChange={replace} />
          )}
        />
      </section>
    </>
  );
}

/** The server's wording for lot problems, in the page's words where known. */
function lotMessage(t: TFunction, message: string | undefined): string | undefined {
  if (!message) return undefined;
  if (/already used/.test(message)) return t('lots.errors.taken');
  if (/letters, digits/.test(message)) return t('lots.errors.lotNumber');
  if (/in the future/.test(message)) return t('lots.errors.future');
  if (/invalid.*date/i.test(message)) return t('lots.errors.date');
  const award = /more than the (\d+) units left of the bid.s awarded (\d+)/.exec(message);
  if (award) return t('lots.errors.overAward', { left: award[1], awarded: award[2] });
  const unshipped = /more than the (\d+) units of the lot not shipped/.exec(message);
  if (unshipped) return t('lots.errors.moreThanUnshipped', { n: unshipped[1] });
  if (/not an awarded bid/.test(message)) return t('lots.errors.notAwarded');
  if (/this product.s need/.test(message)) return t('lots.errors.otherProduct');
  if (/not the organisation of this bid/.test(message)) return t('lots.errors.otherOrganisation');
  return message;
}

function RecordLotForm({ made, onDone }: { made: Made; onDone: (lot: Lot) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [bidId, setBidId] = useState(made.bids[0]?.id ?? '');
  const [lotNumber, setLotNumber] = useState('');
  const [quantity, setQuantity] = useState('');
  const [producedOn, setProducedOn] = useState(today);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit({ 403: 'lots.errors.notYourBid', 409: 'errors.validation' });
  const err = (path: string) => problems[path] ?? lotMessage(t, submit.fieldError(path));
  const bidLabel = (b: MyBid) =>
    t('lots.bidOption', {
      count: b.awardedQuantity ?? 0,
      org: b.organisationName,
      n: f.number(b.awardedQuantity ?? 0),
      date: f.date(b.call.awardedAt ?? b.updatedAt),
    });

  async function record(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!bidId) found.bidId = t('fieldErrors.required');
    if (!lotNumber.trim()) found.lotNumber = t('fieldErrors.required');
    else if (!LOT_NUMBER.test(lotNumber.trim())) found.lotNumber = t('lots.errors.lotNumber');
    if (!quantity.trim()) found.quantity = t('fieldErrors.required');
    else if (!WHOLE.test(quantity.trim()) || Number(quantity) < 1) found.quantity = t('partner.errors.wholeNumber');
    if (!producedOn) found.producedOn = t('fieldErrors.required');
    else if (producedOn > today()) found.producedOn = t('lots.errors.future');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const lot = await submit.run(() =>
      api.lots.record(made.product.id, { bidId, lotNumber: lotNumber.trim(), quantity: Number(quantity), producedOn }),
    );
    if (lot) {
      setLotNumber('');
      setQuantity('');
      onDone(lot);
    }
  }

  const bidError = err('bidId') ?? err('organisationId');
  return (
    <form className="form lot-form" onSubmit={record} noValidate aria-label={t('lots.newLot')}>
      {made.bids.length > 1 ? (
        <SelectField label={t('lots.bid')} value={bidId} onChange={(e) => setBidId(e.target.value)} error={bidError}>
          {made.bids.map((b) => (
            <option key={b.id} value={b.id}>
              {bidLabel(b)}
            </option>
          ))}
        </SelectField>
      ) : (
        <>
          <p className="meta">
            <span className="label-inline">{t('lots.bid')}</span> {made.bids[0] && bidLabel(made.bids[0])}
          </p>
          {bidError && (
            <p className="field-error" role="alert">
              {bidError}
            </p>
          )}
        </>
      )}
      <div className="inline-fields inline-3">
        <TextField
          label={t('lots.lotNumber')}
          hint={t('lots.lotNumberHint')}
          maxLength={64}
          value={lotNumber}
          onChange={(e) => setLotNumber(e.target.value)}
          error={err('lotNumber')}
        />
        <TextField
          label={t('lots.quantity')}
          inputMode="numeric"
          value={quantity}
          onChange={(e) => setQuantity(e.target.value)}
          error={err('quantity')}
        />
        <TextField
          label={t('lots.producedOn')}
          type="date"
          max={today()}
          value={producedOn}
          onChange={(e) => setProducedOn(e.target.value)}
          error={err('producedOn')}
        />
      </div>
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {t('lots.record')}
        </button>
      </p>
    </form>
  );
}

/** A lot's QA result as a badge. */
function QaBadge({ result }: { result: QaResult }) {
  const { t } = useTranslation();
  const cls = result === 'passed' ? 'badge-ok' : result === 'failed' ? 'badge-err' : 'badge-warn';
  return <span className={`badge ${cls}`}>{t(`lots.qa.${result}`)}</span>;
}

/** One lot: its figures, QA (recorded here while pending), shipments (recorded and delivered here once passed). */
function LotCard({ lot, mine, onChange }: { lot: Lot; mine: boolean; onChange: (lot: Lot) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [shipping, setShipping] = useState(false);
  const units = (n: number) => t('lots.units', { count: n, n: f.number(n) });
  const shipped = lot.shipments.reduce((sum, s) => sum + s.quantity, 0);
  const unshipped = lot.quantity - shipped;
  const withShipment = (s: Shipment) => {
    const known = lot.shipments.some((x) => x.id === s.id);
    onChange({ ...lot, shipments: known ? lot.shipments.map((x) => (x.id === s.id ? s : x)) : [...lot.shipments, s] });
  };
  return (
    <li className="card lot-card">
      <div className="card-head">
        <QaBadge result={lot.qa.result} />
        <strong className="card-title">{lot.lotNumber}</strong>
        <span className="meta">{lot.organisation.name}</span>
      </div>
      <dl className="terms-grid">
        <div>
          <dt>{t('lots.producedOn')}</dt>
          <dd>
            <time dateTime={lot.producedOn}>{f.date(`${lot.producedOn}T00:00:00`)}</time>
          </dd>
        </div>
        <div>
          <dt>{t('lots.quantityShort')}</dt>
          <dd>{units(lot.quantity)}</dd>
        </div>
        <div>
          <dt>{t('lots.orders')}</dt>
          <dd>
            {t('lots.progress', {
              fulfilled: f.number(lot.unitsFulfilled),
              left: f.number(lot.quantity - lot.unitsFulfilled),
            })}
          </dd>
        </div>
      </dl>
      {lot.qa.recordedAt && (
        <p className="meta">
          {t('lots.qaOn', { date: f.dateTime(lot.qa.recordedAt) })}
          {lot.qa.notes && <> · {lot.qa.notes}</>}
        </p>
      )}
      {mine && lot.qa.result === 'pending' && <QaForm lot={lot} onDone={onChange} />}
      {lot.shipments.length > 0 && (
        <>
          <h3 className="lot-subhead">{t('lots.shipments')}</h3>
          <ul className="shipments">
            {lot.shipments.map((s) => (
              <ShipmentRow key={s.id} shipment={s} mine={mine} onDone={withShipment} />
            ))}
          </ul>
        </>
      )}
      {mine &&
        lot.qa.result === 'passed' &&
        unshipped > 0 &&
        (shipping ? (
          <ShipForm
            lot={lot}
            unshipped={unshipped}
            onCancel={() => setShipping(false)}
            onDone={(s) => {
              setShipping(false);
              withShipment(s);
            }}
          />
        ) : (
          <p className="actions">
            <button type="button" className="btn btn-small" onClick={() => setShipping(true)}>
              {t('lots.ship')}
            </button>
          </p>
        ))}
    </li>
  );
}

function QaForm({ lot, onDone }: { lot: Lot; onDone: (lot: Lot) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [result, setResult] = useState<'passed' | 'failed'>();
  const [notes, setNotes] = useState('');
  const [problem, setProblem] = useState<string>();
  const submit = useSubmit({ 403: 'lots.errors.notYourLot' }, (error) =>
    error instanceof ApiError && error.status === 409
      ? t('lots.errors.qaRecorded', { result: t(`lots.qa.${String(error.extra.result ?? 'passed')}`) })
      : undefined,
  );

  async function send(e: FormEvent) {
    e.preventDefault();
    if (!result) {
      setProblem(t('lots.errors.pickResult'));
      submit.setError(t('errors.validation'));
      return;
    }
    setProblem(undefined);
    const saved = await submit.run(() => api.lots.recordQa(lot.id, { result, ...(notes.trim() ? { notes: notes.trim() } : {}) }));
    if (saved) onDone(saved);
  }

  const error = problem ?? submit.fieldError('result');
  return (
    <form className="form qa-form" onSubmit={send} noValidate aria-label={t('lots.qaFor', { lot: lot.lotNumber })}>
      <fieldset className={error ? 'fieldset-invalid' : undefined} aria-describedby={error ? `${id}-result` : undefined}>
        <legend>{t('lots.qaResult')}</legend>
        <div className="choice-row">
          {(['passed', 'failed'] as const).map((r) => (
            <label key={r} className="choice">
              <input
                type="radio"
                name={`${id}-result`}
                checked={result === r}
                onChange={() => {
                  setResult(r);
                  setProblem(undefined);
                }}
              />
              {t(`lots.qa.${r}`)}
            </label>
          ))}
        </div>
        {error && (
          <p className="field-error" id={`${id}-result`} role="alert">
            {error}
          </p>
        )}
      </fieldset>
      <TextArea
        label={t('lots.qaNotes')}
        rows={2}
        maxLength={2000}
        value={notes}
        onChange={(e) => setNotes(e.target.value)}
        error={submit.fieldError('notes')}
      />
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={submit.busy}>
          {t('lots.recordQa')}
        </button>
      </p>
    </form>
  );
}

function ShipmentRow({ shipment: s, mine, onDone }: { shipment: Shipment; mine: boolean; onDone: (s: Shipment) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const submit = useSubmit({ 403: 'lots.errors.notYourLot' });
  async function deliver() {
    const done = await submit.run(() => api.lots.delivered(s.id));
    if (done) onDone(done);
  }
  return (
    <li className="shipment">
      <p className="shipment-line">
        {t('lots.shipmentLine', {
          count: s.quantity,
          n: f.number(s.quantity),
          destination: s.destination,
          carrier: s.carrier,
          date: f.dateTime(s.shippedAt),
        })}
        {s.trackingNumber && (
          <>
            {' '}
            <code>{s.trackingNumber}</code>
          </>
        )}
      </p>
      {s.deliveredAt ? (
        <p className="meta shipment-delivered">
          <span className="badge badge-ok">{t('lots.delivered')}</span> {f.dateTime(s.deliveredAt)}
        </p>
      ) : (
        <>
          <span className="badge badge-soft">{t('lots.inTransit')}</span>
          {mine && (
            <button type="button" className="btn btn-small" disabled={submit.busy} onClick={() => void deliver()}>
              {t('lots.markDelivered')}
            </button>
          )}
        </>
      )}
      <FormAlert error={submit.error} />
    </li>
  );
}

function ShipForm({
  lot,
  unshipped,
  onDone,
  onCancel,
}: {
  lot: Lot;
  unshipped: number;
  onDone: (s: Shipment) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const [quantity, setQuantity] = useState(String(unshipped));
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [destination, setDestination] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit({ 403: 'lots.errors.notYourLot' }, (error) => {
    if (!(error instanceof ApiError) || error.status !== 409) return undefined;
    return error.extra.qaResult === 'failed' ? t('lots.errors.qaFailed') : t('lots.errors.qaPending');
  });
  const err = (path: string) => problems[path] ?? lotMessage(t, submit.fieldError(path));

  async function send(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!quantity.trim()) found.quantity = t('fieldErrors.required');
    else if (!WHOLE.test(quantity.trim()) || Number(quantity) < 1) found.quantity = t('partner.errors.wholeNumber');
    else if (Number(quantity) > unshipped) found.quantity = t('lots.errors.moreThanUnshipped', { n: f.number(unshipped) });
    if (!carrier.trim()) found.carrier = t('fieldErrors.required');
    if (!destination.trim()) found.destination = t('fieldErrors.required');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const shipment = await submit.run(() =>
      api.lots.ship(lot.id, {
        quantity: Number(quantity),
        carrier: carrier.trim(),
        ...(tracking.trim() ? { trackingNumber: tracking.trim() } : {}),
        destination: destination.trim(),
      }),
    );
    if (shipment) onDone(shipment);
  }

  return (
    <form className="form ship-form" onSubmit={send} noValidate aria-label={t('lots.shipFor', { lot: lot.lotNumber })}>
      <div className="inline-fields">
        <TextField
          label={t('lots.shipQuantity')}
          hint={t('lots.unshipped', { count: unshipped, n: f.number(unshipped) })}
          inputMode="numeric"
          value={quantity}
          onChange={(e) => setQuantity(e.target.value)}
          error={err('quantity')}
        />
        <TextField
          label={t('lots.destination')}
          hint={t('lots.destinationHint')}
          maxLength={200}
          value={destination}
          onChange={(e) => setDestination(e.target.value)}
          error={err('destination')}
        />
      </div>
      <div className="inline-fields">
        <TextField
          label={t('lots.carrier')}
          maxLength={100}
          value={carrier}
          onChange={(e) => setCarrier(e.target.value)}
          error={err('carrier')}
        />
        <TextField
          label={t('lots.tracking')}
          maxLength={100}
          value={tracking}
          onChange={(e) => setTracking(e.target.value)}
          error={err('trackingNumber')}
        />
      </div>
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={submit.busy}>
          {t('lots.recordShipment')}
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </p>
    </form>
  );
}
