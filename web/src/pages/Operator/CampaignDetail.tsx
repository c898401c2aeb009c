import type { TFunction } from 'i18next';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, api } from '../../api';
import { syncServerClock } from '../../api/serverClock';
import type { Campaign, OrderState, Sales, SalesInterval, StockAudit } from '../../api/types';
import { useApi, usePaged } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async, ErrorNotice, errorMessage, Loading } from '../../components/Async';
import { CampaignModeBadge, CampaignStateBadge, OrderStateBadge } from '../../components/CampaignCard';
import { Countdown } from '../../components/Countdown';
import { FormAlert } from '../../components/Form';
import { PagedList } from '../../components/PagedList';
import { useFormat } from '../../i18n/format';
import { TrialDesk } from './TrialDesk';

/** ECharts loads only with the sales chart, in its own chunk. */
const SalesChart = lazy(() => import('../../components/SalesChart'));

const MOVING = new Set(['scheduled', 'live', 'sold_out']);
const REFRESH_MS = 3000;
const ORDER_STATES: OrderState[] = [
  'pending_payment',
  'authorised',
  'paid',
  'fulfilled',
  'delivered',
  'completed',
  'cancelled',
  'refunded',
];

async function loadCampaign(id: string): Promise<Campaign> {
  const sentAt = Date.now();
  const c = await api.campaigns.get(id);
  syncServerClock(Date.parse(c.now), sentAt, Date.now(), true);
  return c;
}

/** One campaign at the operator's desk: launch, end, settle; live sales, orders by state, the stock audit; a trial's applicants. */
export function CampaignDetail() {
  const { id = '' } = useParams();
  const campaign = useApi(() => loadCampaign(id), [id]);
  return (
    <Async state={campaign.state} reload={campaign.reload}>
      {(c) => <Detail campaign={c} replace={(next) => campaign.set(() => next)} />}
    </Async>
  );
}

/** Why a launch, an end or a settlement was refused, in the UI's language. */
function lifecycleMessage(t: TFunction, f: ReturnType<typeof useFormat>, error: unknown): string {
  if (!(error instanceof ApiError) || error.status !== 409) return errorMessage(t, error);
  const x = error.extra;
  if (Array.isArray(x.pending)) {
    return t('campaignDesk.errors.agreementPending', {
      version: typeof x.version === 'number' ? x.version : '',
      count: x.pending.length,
      n: f.number(x.pending.length),
    });
  }
  switch (x.reason) {
    case 'no-agreement':
      return t('campaignDesk.errors.noAgreement');
    case 'ends-in-past':
      return t('campaignDesk.errors.endPassed');
    case 'draft-not-started':
      return t('campaignDesk.errors.draftNotStarted');
    case 'not-ended':
      if (typeof x.endsAt === 'string') return t('campaignDesk.errors.notEnded', { date: f.dateTime(x.endsAt) });
      break;
    case 'waiting-on-money':
      if (typeof x.waiting === 'number') return t('campaignDesk.errors.waitingOnMoney', { n: f.number(x.waiting) });
      break;
  }
  return errorMessage(t, error);
}

function Detail({ campaign, replace }: { campaign: Campaign; replace: (c: Campaign) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  usePageTitle(campaign.title);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const moving = MOVING.has(campaign.state);

  // While the sale may move, the figures follow it.
  useEffect(() => {
    if (!moving) return;
    const timer = setInterval(() => {
      if (!document.hidden) loadCampaign(campaign.id).then(replace, () => undefined);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [moving, campaign.id, replace]);

  async function act(action: () => Promise<Campaign>) {
    setBusy(true);
    setError(undefined);
    try {
      replace(await action());
    } catch (err) {
      setError(lifecycleMessage(t, f, err));
    } finally {
      setBusy(false);
    }
  }

  const c = campaign;
  return (
    <div className="desk campaign-detail">
      <header className="page-head">
        <p className="eyebrow">
          <Link to="/operator/campaigns">{t('campaignDesk.back')}</Link>
        </p>
        <div className="title-row">
          <h2>
            <Link to={`/campaigns/${c.id}`}>{c.title}</Link>
          </h2>
          <CampaignModeBadge mode={c.mode} />
          <CampaignStateBadge state={c.state} />
        </div>
        <p className="meta">
          <Link to={`/products/${c.productId}`}>{c.productName}</Link> ·{' '}
          {t('campaign.window', { starts: f.timeSeconds(c.startsAt), ends: f.dateTime(c.endsAt) })}
        </p>
        {c.state === 'scheduled' && <Countdown to={c.startsAt} label={t('campaign.startsIn')} />}
        {(c.state === 'live' || c.state === 'sold_out') && <Countdown to={c.endsAt} label={t('campaign.endsIn')} />}
      </header>
      <dl className="terms-grid">
        <div>
          <dt>{t('campaignDesk.sold')}</dt>
          <dd>{t('campaign.soldOf', { sold: f.number(c.sold), quantity: f.number(c.quantity) })}</dd>
        </div>
        <div>
          <dt>{t('campaignDesk.remaining')}</dt>
          <dd>{f.number(c.remaining)}</dd>
        </div>
        <div>
          <dt>{t('campaignDesk.held')}</dt>
          <dd>{f.money(c.progress.amount)}</dd>
        </div>
        {c.tier && (
          <div>
            <dt>{t('campaign.priceNow')}</dt>
            <dd>{f.money(c.tier.unitPrice)}</dd>
          </div>
        )}
        <div>
          <dt>{t('campaign.limit')}</dt>
          <dd>
            {c.perMemberLimit === null
              ? t('campaign.noLimit')
              : t('campaign.perMember', { count: c.perMemberLimit, n: f.number(c.perMemberLimit) })}
          </dd>
        </div>
        <div>
          <dt>{t('campaignDesk.agreement')}</dt>
          <dd>
            {c.agreementVersion === null ? (
              <Link to={`/chain-groups/${c.chainGroupId}`}>{t('campaignDesk.agreementBeforeLaunch')}</Link>
            ) : (
              <Link to={`/chain-groups/${c.chainGroupId}`}>
                {t('campaignDesk.agreementVersion', { version: c.agreementVersion })}
              </Link>
            )}
          </dd>
        </div>
        {c.goal && (
          <div>
            <dt>{t('campaign.goal')}</dt>
            <dd>
              {c.goal.units !== null
                ? t('campaign.goalUnits', { have: f.number(c.progress.units), goal: f.number(c.goal.units) })
                : t('campaign.goalAmount', { have: f.money(c.progress.amount), goal: f.money(c.goal.amount!) })}
              {c.outcome && <span className="meta"> · {t(`campaign.outcome.${c.outcome}`)}</span>}
            </dd>
          </div>
        )}
      </dl>
      <div className="actions lifecycle">
        {c.state === 'draft' && (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void act(() => api.campaigns.launch(c.id))}
          >
            {t('campaignDesk.launch')}
          </button>
        )}
        {MOVING.has(c.state) && (
          <button type="button" className="btn" disabled={busy} onClick={() => void act(() => api.campaigns.end(c.id))}>
            {t('campaignDesk.endNow')}
          </button>
        )}
        {c.state === 'ended' && (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void act(() => api.campaigns.settle(c.id))}
          >
            {t('campaignDesk.settle')}
          </button>
        )}
      </div>
      {c.state === 'draft' && <p className="hint">{t('campaignDesk.launchHint')}</p>}
      <FormAlert error={error} />
      {c.mode === 'trial'
        ? c.state !== 'draft' && <TrialDesk campaign={c} onChanged={() => loadCampaign(c.id).then(replace, () => undefined)} />
        : c.state !== 'draft' && <SalesSection campaign={c} moving={moving} />}
      {c.state !== 'draft' && <CampaignOrders campaign={c} />}
      {c.state !== 'draft' && <Audit campaign={c} />}
    </div>
  );
}

/** The live sales chart (units placed and paid per second or minute) and the orders by state. */
function SalesSection({ campaign, moving }: { campaign: Campaign; moving: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [interval, setBucket] = useState<SalesInterval>('second');
  const [sales, setSales] = useState<Sales>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick asks again
  useEffect(() => {
    let live = true;
    const load = () =>
      api.campaigns.sales(campaign.id, interval).then(
        (s) => {
          if (!live) return;
          setSales(s);
          setError(undefined);
        },
        (err: unknown) => live && setError(err),
      );
    void load();
    if (!moving) return;
    const timer = setInterval(() => {
      if (!document.hidden) void load();
    }, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [campaign.id, interval, moving, tick]);

  const labels = useMemo(
    () => ({
      placed: t('sales.placed'),
      paid: t('sales.paid'),
      cumulative: t('sales.cumulative'),
      chart: t('sales.chartLabel', { title: campaign.title }),
    }),
    [t, campaign.title],
  );
  const points = sales?.points ?? [];
  return (
    <section aria-labelledby="sales-heading" className="sales">
      <div className="section-head">
        <h3 id="sales-heading">{t('sales.title')}</h3>
        <fieldset className="segmented">
          <legend className="sr-only">{t('sales.interval')}</legend>
          {(['second', 'minute'] as const).map((i) => (
            <button key={i} type="button" aria-pressed={interval === i} onClick={() => setBucket(i)}>
              {t(`sales.by.${i}`)}
            </button>
          ))}
        </fieldset>
      </div>
      {moving && <p className="hint">{t('sales.live', { seconds: REFRESH_MS / 1000 })}</p>}
      {error !== undefined && <ErrorNotice error={error} onRetry={() => setTick((n) => n + 1)} />}
      {!sales ? (
        !error && <Loading />
      ) : points.length === 0 ? (
        <p className="empty">{t('sales.none')}</p>
      ) : (
        <>
          <Suspense fallback={<Loading />}>
            <SalesChart points={points} interval={interval} labels={labels} />
          </Suspense>
          <details>
            <summary>{t('sales.table')}</summary>
            <div className="table-wrap">
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">{t('sales.at')}</th>
                    <th scope="col" className="num">
                      {t('sales.placed')}
                    </th>
                    <th scope="col" className="num">
                      {t('sales.paid')}
                    </th>
                    <th scope="col" className="num">
                      {t('sales.paidAmount')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {points.map((p) => (
                    <tr key={p.at}>
                      <th scope="row">{interval === 'second' ? f.clockTime(p.at) : f.dateTime(p.at)}</th>
                      <td className="num">{f.number(p.placedUnits)}</td>
                      <td className="num">{f.number(p.paidUnits)}</td>
                      <td className="num">{f.money(p.paidAmount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
      {sales && (
        <div className="by-state">
          <h4>{t('sales.byState')}</h4>
          <ul className="chips">
            {ORDER_STATES.filter((s) => sales.byState[s]).map((s) => (
              <li key={s}>
                <OrderStateBadge state={s} />{' '}
                {t('sales.stateFigures', {
                  orders: f.number(sales.byState[s]!.orders),
                  units: f.number(sales.byState[s]!.units),
                })}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** The campaign's orders, oldest first, by state. */
function CampaignOrders({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [state, setState] = useState<OrderState | ''>('');
  const orders = usePaged(
    (cursor) => api.campaigns.orders(campaign.id, { limit: 50, cursor, state: state || undefined }),
    [campaign.id, state, campaign.sold],
  );
  return (
    <section aria-labelledby="campaign-orders">
      <div className="section-head">
        <h3 id="campaign-orders">{t('campaignDesk.orders')}</h3>
        <label className="inline-select">
          <span>{t('orders.filter')}</span>
          <select value={state} onChange={(e) => setState(e.target.value as OrderState | '')}>
            <option value="">{t('orders.all')}</option>
            {ORDER_STATES.map((s) => (
              <option key={s} value={s}>
                {t(`orderState.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <PagedList
        list={orders}
        className="compact-list"
        empty={t('campaignDesk.noOrders')}
        render={(o) => (
          <li key={o.id} className="card order-row">
            <OrderStateBadge state={o.state} /> <code>{o.id}</code>
            <span className="meta">
              {' '}
              {t('orders.figures', {
                count: o.quantity,
                n: f.number(o.quantity),
                total: o.trial ? t('orders.free') : f.money(o.total),
                date: f.timeSeconds(o.createdAt),
              })}
            </span>
          </li>
        )}
      />
    </section>
  );
}

/** The stock counters checked against the orders. */
function Audit({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [audit, setAudit] = useState<StockAudit>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function check() {
    setBusy(true);
    setError(undefined);
    try {
      setAudit(await api.campaigns.audit(campaign.id));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby="campaign-audit">
      <div className="section-head">
        <h3 id="campaign-audit">{t('audit.title')}</h3>
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void check()}>
          {t('audit.check')}
        </button>
      </div>
      <p className="hint">{t('audit.hint')}</p>
      {error !== undefined && <ErrorNotice error={error} />}
      {audit && (
        <div className={`notice ${audit.consistent ? 'notice-ok' : 'notice-error'}`} role="status">
          <p>
            <strong>{audit.consistent ? t('audit.consistent') : t('audit.inconsistent')}</strong>
          </p>
          <dl className="terms-grid">
            <div>
              <dt>{t('audit.counted')}</dt>
              <dd>{t('campaign.soldOf', { sold: f.number(audit.sold), quantity: f.number(audit.quantity) })}</dd>
            </div>
            <div>
              <dt>{t('audit.byOrders')}</dt>
              <dd>{f.number(audit.heldByOrders)}</dd>
            </div>
            <div>
              <dt>{t('campaignDesk.remaining')}</dt>
              <dd>{f.number(audit.remaining)}</dd>
            </div>
            <div>
              <dt>{t('audit.tiers')}</dt>
              <dd>{audit.tierSold.map((n) => f.number(n)).join(' / ')}</dd>
            </div>
          </dl>
        </div>
      )}
    </section>
  );
}
