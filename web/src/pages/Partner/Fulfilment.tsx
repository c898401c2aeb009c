import type { TFunction } from 'i18next';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api';
import type { Lot, Order, Organisation } from '../../api/types';
import { type Loadable, useApi, usePaged } from '../../app/useApi';
import { ErrorNotice } from '../../components/Async';
import { CampaignModeBadge, OrderStateBadge } from '../../components/CampaignCard';
import { campaignProblem } from '../../components/campaignProblems';
import { FormAlert, SelectField, TextField, useSubmit } from '../../components/Form';
import { shippingLine } from '../../components/Orders';
import { PagedList } from '../../components/PagedList';
import { useFormat } from '../../i18n/format';

/** The server's wording for fulfilment problems, in the UI's language where known. */
function fulfilMessage(t: TFunction, message: string | undefined): string | undefined {
  if (!message) return undefined;
  if (/name the maker organisation/.test(message)) return t('fulfilment.errors.whichOrganisation');
  if (/not a maker of this product/.test(message)) return t('fulfilment.errors.notMaker');
  return message;
}

/** Each product's lots, by product id (the newest hundred: enough to choose from). */
type LotsByProduct = Map<string, Lot[]>;

async function lotsOf(productIds: string[]): Promise<LotsByProduct> {
  const pages = await Promise.all(productIds.map((id) => api.lots.list(id, { limit: 100 })));
  return new Map(productIds.map((id, i) => [id, pages[i]!.items]));
}

/**
 * A maker's fulfilment desk: paid orders to ship (a recorded lot that passed QA with units left,
 * carrier, tracking number) and shipped ones to mark delivered.
 */
export function Fulfilment({ orgs }: { orgs: Organisation[] }) {
  const { t } = useTranslation();
  const [tick, setTick] = useState(0);
  const [campaignId, setCampaignId] = useState('');
  const campaigns = useApi(() => api.campaigns.list({ limit: 100 }).then((p) => p.items), []);
  const only = campaignId || undefined;
  const toShip = usePaged(
    (cursor) => api.orders.fulfilmentQueue({ state: 'paid', campaignId: only, limit: 20, cursor }),
    [tick, only],
  );
  const shipped = usePaged(
    (cursor) => api.orders.fulfilmentQueue({ state: 'fulfilled', campaignId: only, limit: 20, cursor }),
    [tick, only],
  );
  const productIds = [...new Set(toShip.items.map((o) => o.productId))].sort();
  const lots = useApi(() => lotsOf(productIds), [productIds.join(','), tick]);
  const changed = () => setTick((n) => n + 1);
  return (
    <>
      <label className="inline-select fulfil-filter">
        <span>{t('fulfilment.campaign')}</span>
        <select value={campaignId} onChange={(e) => setCampaignId(e.target.value)}>
          <option value="">{t('fulfilment.allCampaigns')}</option>
          {campaigns.state.status === 'ok' &&
            campaigns.state.data.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
        </select>
      </label>
      <section aria-labelledby="fulfil-to-ship">
        <h2 id="fulfil-to-ship">{t('fulfilment.toShip')}</h2>
        <p className="hint">{t('fulfilment.hint')}</p>
        <PagedList
          list={toShip}
          empty={t('fulfilment.noneToShip')}
          render={(o) => (
            <li key={o.id} className="card fulfil-card">
              <OrderSummary order={o} />
              <FulfilForm order={o} orgs={orgs} lots={lots.state} reloadLots={lots.reload} onDone={changed} />
            </li>
          )}
        />
      </section>
      <section aria-labelledby="fulfil-shipped">
        <h2 id="fulfil-shipped">{t('fulfilment.shipped')}</h2>
        <PagedList
          list={shipped}
          empty={t('fulfilment.noneShipped')}
          render={(o) => (
            <li key={o.id} className="card fulfil-card">
              <OrderSummary order={o} />
              <Delivered order={o} onDone={changed} />
            </li>
          )}
        />
      </section>
    </>
  );
}

function OrderSummary({ order }: { order: Order }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <>
      <div className="card-head">
        <CampaignModeBadge mode={order.mode} />
        <OrderStateBadge state={order.state} />
        <Link className="card-title" to={`/campaigns/${order.campaignId}`}>
          {order.campaignTitle}
        </Link>
      </div>
      <p className="meta">
        {t('fulfilment.figures', {
          count: order.quantity,
          n: f.number(order.quantity),
          id: order.id,
          date: f.dateTime(order.paidAt ?? order.createdAt),
        })}
      </p>
      {order.shipping ? (
        <p className="ship-to">
          <span className="label-inline">{t('fulfilment.shipTo')}</span> {shippingLine(order.shipping)}
        </p>
      ) : (
        <p className="notice">{t('fulfilment.noAddress')}</p>
      )}
      {order.fulfilment && (
        <p className="meta">
          {t('fulfilment.shippedWith', {
            carrier: order.fulfilment.carrier,
            tracking: order.fulfilment.trackingNumber,
            lot: order.fulfilment.lot,
            date: f.dateTime(order.fulfilment.fulfilledAt),
          })}
        </p>
      )}
    </>
  );
}

function FulfilForm({
  order,
  orgs,
  lots,
  reloadLots,
  onDone,
}: {
  order: Order;
  orgs: Organisation[];
  lots: Loadable<LotsByProduct>;
  reloadLots: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const [organisationId, setOrganisationId] = useState(orgs.length === 1 ? orgs[0]!.id : '');
  const [lot, setLot] = useState('');
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit({}, (error) => campaignProblem(t, f, error));
  const err = (path: string) => problems[path] ?? fulfilMessage(t, submit.fieldError(path));

  async function fulfil(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!lot) found.lot = t('fieldErrors.required');
    if (!carrier.trim()) found.carrier = t('fieldErrors.required');
    if (!tracking.trim()) found.trackingNumber = t('fieldErrors.required');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const done = await submit.run(() =>
      api.orders.fulfil(order.id, {
        ...(organisationId ? { organisationId } : {}),
        lot,
        carrier: carrier.trim(),
        trackingNumber: tracking.trim(),
      }),
    );
    if (done) onDone();
    // Refused: the lot's units may have gone to another order meanwhile; show what is left now.
    else reloadLots();
  }

  // The lots the units can come from: my organisations' (the chosen one's), QA passed, units left.
  const usable = (lots.data?.get(order.productId) ?? []).filter(
    (l) =>
      l.qa.result === 'passed' &&
      l.quantity > l.unitsFulfilled &&
      (organisationId ? l.organisation.id === organisationId : orgs.some((o) => o.id === l.organisation.id)),
  );
  const chooseLot = (lotNumber: string) => {
    setLot(lotNumber);
    // The lot number names its maker: the organisation follows the lot.
    const maker = usable.find((l) => l.lotNumber === lotNumber)?.organisation.id;
    if (maker && orgs.length > 1) setOrganisationId(maker);
  };

  return (
    <form className="form fulfil-form" onSubmit={fulfil} noValidate aria-label={t('fulfilment.formFor', { id: order.id })}>
      {orgs.length > 1 && (
        <SelectField
          label={t('fulfilment.organisation')}
          value={organisationId}
          onChange={(e) => setOrganisationId(e.target.value)}
          error={err('organisationId')}
        >
          <option value="">{t('fulfilment.pickOrganisation')}</option>
          {orgs.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </SelectField>
      )}
      <div className="inline-fields inline-3">
        <SelectField
          label={t('fulfilment.lot')}
          value={lot}
          disabled={lots.status !== 'ok'}
          onChange={(e) => chooseLot(e.target.value)}
          error={err('lot')}
          hint={
            lots.status === 'ok' && usable.length === 0 ? (
              <Link to={`/partner/lots?product=${encodeURIComponent(order.productId)}`}>{t('fulfilment.recordLots')}</Link>
            ) : undefined
          }
        >
          <option value="">
            {lots.status === 'loading'
              ? t('common.loading')
              : usable.length === 0
                ? t('fulfilment.noLots')
                : t('fulfilment.pickLot')}
          </option>
          {lot && !usable.some((l) => l.lotNumber === lot) && <option value={lot}>{lot}</option>}
          {usable.map((l) => (
            <option key={l.id} value={l.lotNumber}>
              {orgs.length > 1
                ? t('fulfilment.lotOptionOf', {
                    lot: l.lotNumber,
                    org: l.organisation.name,
                    n: f.number(l.quantity - l.unitsFulfilled),
                  })
                : t('fulfilment.lotOption', { lot: l.lotNumber, n: f.number(l.quantity - l.unitsFulfilled) })}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t('fulfilment.carrier')}
          maxLength={100}
          value={carrier}
          onChange={(e) => setCarrier(e.target.value)}
          error={err('carrier')}
        />
        <TextField
          label={t('fulfilment.tracking')}
          maxLength={100}
          value={tracking}
          onChange={(e) => setTracking(e.target.value)}
          error={err('trackingNumber')}
        />
      </div>
      {orgs.length === 1 && err('organisationId') && (
        <p className="field-error" role="alert">
          {err('organisationId')}
        </p>
      )}
      {lots.status === 'error' && <ErrorNotice error={lots.error} onRetry={reloadLots} />}
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {t('fulfilment.ship')}
        </button>
      </p>
    </form>
  );
}

function Delivered({ order, onDone }: { order: Order; onDone: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  async function deliver() {
    setBusy(true);
    setError(undefined);
    try {
      await api.orders.deliver(order.id);
      onDone();
    } catch (err) {
      setError(campaignProblem(t, f, err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <FormAlert error={error} />
      <p className="actions">
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void deliver()}>
          {t('fulfilment.delivered')}
        </button>
      </p>
    </>
  );
}
