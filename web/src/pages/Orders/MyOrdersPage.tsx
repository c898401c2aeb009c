import type { TFunction } from 'i18next';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api';
import type { Money, Notification, Order, OrderState } from '../../api/types';
import { announceUnread } from '../../app/unread';
import { usePaged } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { CampaignModeBadge, OrderStateBadge } from '../../components/CampaignCard';
import { Countdown, useServerNow } from '../../components/Countdown';
import { campaignProblem } from '../../components/campaignProblems';
import { FormAlert, TextArea, useSubmit } from '../../components/Form';
import { PayPanel, ShippingForm, shippingLine } from '../../components/Orders';
import { PagedList } from '../../components/PagedList';
import { type formatters, useFormat } from '../../i18n/format';

const FILTERS: (OrderState | 'all')[] = ['all', 'pending_payment', 'paid', 'fulfilled', 'completed', 'cancelled'];
const CANCELLABLE = new Set<OrderState>(['pending_payment', 'authorised', 'paid']);
const SHIPPED = new Set<OrderState>(['fulfilled', 'delivered']);

/** My orders (我的订单): pay pending ones before they lapse, cancel, confirm receipt, trial feedback; and my notifications. */
export default function MyOrdersPage() {
  const { t } = useTranslation();
  usePageTitle(t('orders.title'));
  const [filter, setFilter] = useState<OrderState | 'all'>('all');
  const orders = usePaged(
    (cursor) => api.orders.mine({ limit: 20, cursor, state: filter === 'all' ? undefined : filter }),
    [filter],
  );
  const replace = (o: Order) => orders.update((items) => items.map((x) => (x.id === o.id ? o : x)));
  return (
    <div className="my-orders">
      <h1>{t('orders.title')}</h1>
      <div className="columns">
        <section className="col-main" aria-labelledby="orders-heading">
          <div className="section-head">
            <h2 id="orders-heading">{t('orders.list')}</h2>
            <label className="inline-select">
              <span>{t('orders.filter')}</span>
              <select value={filter} onChange={(e) => setFilter(e.target.value as OrderState | 'all')}>
                {FILTERS.map((s) => (
                  <option key={s} value={s}>
                    {s === 'all' ? t('orders.all') : t(`orderState.${s}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <PagedList
            list={orders}
            empty={t('orders.none')}
            render={(o) => <OrderCard key={o.id} order={o} onChanged={replace} />}
          />
        </section>
        <Notifications />
      </div>
    </div>
  );
}

/** Why an order was cancelled, in words. */
function reasonText(t: TFunction, reason: string | null): string {
  return t(`orders.reason.${reason ?? 'other'}`, { defaultValue: t('orders.reason.other') });
}

function OrderCard({ order, onChanged }: { order: Order; onChanged: (o: Order) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const now = useServerNow(order.state === 'pending_payment');
  const [paying, setPaying] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const lapsed = order.state === 'pending_payment' && order.expiresAt !== null && Date.parse(order.expiresAt) <= now;

  async function act(action: () => Promise<Order>) {
    setBusy(true);
    setError(undefined);
    try {
      onChanged(await action());
      setConfirmCancel(false);
    } catch (err) {
      setError(campaignProblem(t, f, err));
    } finally {
      setBusy(false);
    }
  }
  const reload = () => {
    api.orders.get(order.id).then(onChanged, () => undefined);
  };

  return (
    <li className="card order-card">
      <div className="card-head">
        <CampaignModeBadge mode={order.mode} />
        <OrderStateBadge state={order.state} />
        <Link to={`/campaigns/${order.campaignId}`} className="card-title">
          {order.campaignTitle}
        </Link>
      </div>
      <p className="meta">
        {t('orders.figures', {
          count: order.quantity,
          n: f.number(order.quantity),
          total: order.trial ? t('orders.free') : f.money(order.total),
          date: f.dateTime(order.createdAt),
        })}
        {order.refunded.amount > 0 && ` · ${t('orders.refunded', { amount: f.money(order.refunded) })}`}
      </p>

      {order.state === 'pending_payment' &&
        (lapsed ? (
          <p className="notice notice-error">{t('problems.lapsed')}</p>
        ) : (
          <>
            {order.expiresAt && <Countdown to={order.expiresAt} label={t('orders.payWithin')} className="is-urgent" />}
            {paying ? (
              <PayPanel order={order} onPaid={reload} onPayment={reload} />
            ) : (
              <p className="actions">
                <button type="button" className="btn btn-primary btn-small" onClick={() => setPaying(true)}>
                  {t('orders.pay')}
                </button>
              </p>
            )}
          </>
        ))}
      {order.state === 'authorised' && <p className="notice">{t('orders.authorisedNote')}</p>}
      {order.state === 'paid' && <p className="meta">{order.trial ? t('orders.sampleSoon') : t('orders.paidNote')}</p>}
      {order.fulfilment && (
        <dl className="terms-grid tracking">
          <div>
            <dt>{t('orders.carrier')}</dt>
            <dd>{order.fulfilment.carrier}</dd>
          </div>
          <div>
            <dt>{t('orders.tracking')}</dt>
            <dd>
              <code>{order.fulfilment.trackingNumber}</code>
            </dd>
          </div>
          <div>
            <dt>{t('orders.lot')}</dt>
            <dd>{order.fulfilment.lot}</dd>
          </div>
          <div>
            <dt>{t('orders.shippedOn')}</dt>
            <dd>{f.dateTime(order.fulfilment.fulfilledAt)}</dd>
          </div>
        </dl>
      )}
      {order.state === 'completed' && order.completedAt && (
        <p className="meta">{t('orders.completedOn', { date: f.dateTime(order.completedAt) })}</p>
      )}
      {order.state === 'cancelled' && (
        <p className="meta">
          {t('orders.cancelledBecause', { reason: reasonText(t, order.cancelReason) })}
          {order.cancelledAt && ` · ${f.dateTime(order.cancelledAt)}`}
        </p>
      )}

      {CANCELLABLE.has(order.state) && !lapsed && (
        <details className="shipping-details" open={!order.shipping && order.state !== 'pending_payment'}>
          <summary>
            {order.shipping ? t('orders.shipTo', { address: shippingLine(order.shipping) }) : t('orders.noAddress')}
          </summary>
          <ShippingForm order={order} onSaved={onChanged} />
        </details>
      )}
      {SHIPPED.has(order.state) && order.shipping && (
        <p className="meta">{t('orders.shipTo', { address: shippingLine(order.shipping) })}</p>
      )}

      {order.feedbackDue && <FeedbackForm order={order} onDone={reload} />}

      <FormAlert error={error} />
      <div className="actions">
        {SHIPPED.has(order.state) && (
          <button
            type="button"
            className="btn btn-primary btn-small"
            disabled={busy}
            onClick={() => void act(() => api.orders.complete(order.id))}
          >
            {t('orders.complete')}
          </button>
        )}
        {CANCELLABLE.has(order.state) &&
          !lapsed &&
          (confirmCancel ? (
            <>
              <span>{t('orders.cancelSure')}</span>
              <button
                type="button"
                className="btn btn-small"
                disabled={busy}
                onClick={() => void act(() => api.orders.cancel(order.id))}
              >
                {t('orders.cancelYes')}
              </button>
              <button type="button" className="btn btn-ghost btn-small" onClick={() => setConfirmCancel(false)}>
                {t('orders.cancelNo')}
              </button>
            </>
          ) : (
            <button type="button" className="btn btn-ghost btn-small" onClick={() => setConfirmCancel(true)}>
              {t('orders.cancel')}
            </button>
          ))}
      </div>
    </li>
  );
}

const WOULD_BUY = ['yes', 'maybe', 'no'] as const;

/** Feedback on a trial sample: rating 1–5, would you buy it, what you liked, what to improve. */
function FeedbackForm({ order, onDone }: { order: Order; onDone: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const [rating, setRating] = useState<number>();
  const [wouldBuy, setWouldBuy] = useState<(typeof WOULD_BUY)[number]>();
  const [liked, setLiked] = useState('');
  const [improve, setImprove] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit({}, (error) => campaignProblem(t, f, error));
  const err = (path: string) => problems[path] ?? submit.fieldError(path);

  async function send(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!rating) found.rating = t('feedback.errors.rating');
    if (!wouldBuy) found.wouldBuy = t('feedback.errors.wouldBuy');
    setProblems(found);
    if (Object.keys(found).length || !rating || !wouldBuy) {
      submit.setError(t('errors.validation'));
      return;
    }
    const done = await submit.run(() =>
      api.orders.feedback(order.id, { rating, wouldBuy, liked: liked.trim(), improve: improve.trim() }),
    );
    if (done) onDone();
  }

  return (
    <form className="form feedback-form" onSubmit={send} noValidate aria-label={t('feedback.formTitle')}>
      <h3>{t('feedback.formTitle')}</h3>
      <fieldset
        className={err('rating') ? 'fieldset-invalid' : undefined}
        aria-describedby={err('rating') ? `${id}-rating` : undefined}
      >
        <legend>{t('feedback.rating')}</legend>
        <div className="choice-row">
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className="choice">
              <input
                type="radio"
                name={`${id}-rating`}
                checked={rating === n}
                onChange={() => {
                  setRating(n);
                  setProblems(({ rating: _, ...rest }) => rest);
                }}
              />
              {t('feedback.stars', { count: n, n: f.number(n) })}
            </label>
          ))}
        </div>
        {err('rating') && (
          <p className="field-error" id={`${id}-rating`} role="alert">
            {err('rating')}
          </p>
        )}
      </fieldset>
      <fieldset
        className={err('wouldBuy') ? 'fieldset-invalid' : undefined}
        aria-describedby={err('wouldBuy') ? `${id}-buy` : undefined}
      >
        <legend>{t('feedback.wouldBuyQuestion')}</legend>
        <div className="choice-row">
          {WOULD_BUY.map((w) => (
            <label key={w} className="choice">
              <input
                type="radio"
                name={`${id}-buy`}
                checked={wouldBuy === w}
                onChange={() => {
                  setWouldBuy(w);
                  setProblems(({ wouldBuy: _, ...rest }) => rest);
                }}
              />
              {t(`feedback.wouldBuy.${w}`)}
            </label>
          ))}
        </div>
        {err('wouldBuy') && (
          <p className="field-error" id={`${id}-buy`} role="alert">
            {err('wouldBuy')}
          </p>
        )}
      </fieldset>
      <TextArea
        label={t('feedback.likedField')}
        rows={2}
        maxLength={2000}
        value={liked}
        onChange={(e) => setLiked(e.target.value)}
        error={err('liked')}
      />
      <TextArea
        label={t('feedback.improveField')}
        rows={2}
        maxLength={2000}
        value={improve}
        onChange={(e) => setImprove(e.target.value)}
        error={err('improve')}
      />
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {t('feedback.submit')}
        </button>
      </p>
    </form>
  );
}

type Format = ReturnType<typeof formatters>;
const money = (f: Format, v: unknown) =>
  v && typeof v === 'object' && 'amount' in v && 'currency' in v ? f.money(v as Money) : '';

/** A notification in words: what happened to which order or application. */
function notificationText(t: TFunction, f: Format, n: Notification): string {
  const p = n.payload;
  const title = typeof p.campaignTitle === 'string' && p.campaignTitle ? p.campaignTitle : t('notifications.aCampaign');
  const quantity = typeof p.quantity === 'number' ? f.number(p.quantity) : '';
  switch (n.kind) {
    case 'order.paid':
      return t('notifications.kind.orderPaid', { title, quantity, total: money(f, p.total) });
    case 'order.cancelled':
      return t('notifications.kind.orderCancelled', {
        title,
        reason: reasonText(t, typeof p.reason === 'string' ? p.reason : null),
      });
    case 'order.fulfilled':
      return t('notifications.kind.orderFulfilled', {
        title,
        carrier: String(p.carrier ?? ''),
        tracking: String(p.trackingNumber ?? ''),
      });
    case 'order.delivered':
      return t('notifications.kind.orderDelivered', { title });
    case 'order.refunded':
      return t('notifications.kind.orderRefunded', { title, amount: money(f, p.amount) });
    case 'trial.selected':
      return t('notifications.kind.trialSelected', { title });
    case 'trial.not-selected':
      return t('notifications.kind.trialNotSelected', { title });
    default:
      return t('notifications.kind.other', { title });
  }
}

/** My notifications, newest first; unread ones marked, all marked read at once. */
function Notifications() {
  const { t } = useTranslation();
  const f = useFormat();
  const list = usePaged((cursor) => api.notifications.list({ limit: 20, cursor }), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const unread = list.items.filter((n) => !n.readAt).length;

  async function readAll() {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.notifications.markRead();
      const at = new Date().toISOString();
      list.update((items) => items.map((n) => (n.readAt ? n : { ...n, readAt: at })));
      announceUnread(r.unread);
    } catch (err) {
      setError(campaignProblem(t, f, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="col-side notifications" aria-labelledby="notifications-heading">
      <div className="section-head">
        <h2 id="notifications-heading">{t('notifications.title')}</h2>
        {unread > 0 && (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void readAll()}>
            {t('notifications.readAll')}
          </button>
        )}
      </div>
      <FormAlert error={error} />
      <PagedList
        list={list}
        className="compact-list"
        empty={t('notifications.none')}
        render={(n) => (
          <li key={n.id} className={`card notification ${n.readAt ? '' : 'is-unread'}`}>
            {!n.readAt && <span className="badge badge-warn">{t('notifications.unread')}</span>}
            <p>
              {typeof n.payload.campaignId === 'string' ? (
                <Link to={`/campaigns/${n.payload.campaignId}`}>{notificationText(t, f, n)}</Link>
              ) : (
                notificationText(t, f, n)
              )}
            </p>
            <time className="meta" dateTime={n.createdAt} title={f.dateTime(n.createdAt)}>
              {f.relative(n.createdAt)}
            </time>
          </li>
        )}
      />
    </section>
  );
}
