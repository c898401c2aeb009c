import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { ApiError, api } from '../../api';
import { serverNow } from '../../api/serverClock';
import type { Campaign, CampaignState, CampaignStock, Order, Payment } from '../../api/types';
import { useAuth } from '../../app/auth';
import { Countdown, useCountdownText, useServerNow } from '../../components/Countdown';
import { campaignProblem } from '../../components/campaignProblems';
import { FormAlert } from '../../components/Form';
import { PaymentStatus, PayPanel, ShippingForm, useAttempt } from '../../components/Orders';
import { useFormat } from '../../i18n/format';

const HOLDING = new Set(['pending_payment', 'authorised', 'paid', 'fulfilled', 'delivered', 'completed']);

type Step = { kind: 'choose' } | { kind: 'reserved'; order: Order } | { kind: 'paid'; order: Order; payment: Payment };

/**
 * Buying from a presale, flash sale or crowdfunding: the quantity, the order (which reserves the
 * units at once and holds them until the reservation's countdown ends), the payment and its
 * outcome. Refusals (sold out, not live, over the limit) are told in the page's words.
 */
export function BuyPanel({
  campaign,
  stock,
  shown,
  mine,
  onChanged,
  onRefused,
}: {
  campaign: Campaign;
  stock: CampaignStock;
  shown: CampaignState;
  mine: Order[];
  onChanged: () => void;
  onRefused: (remaining: number | undefined) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const { me } = useAuth();
  const location = useLocation();
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  // A refusal (sold out, not live) stays in view even when the form it came from gives way to a notice.
  const [refusal, setRefusal] = useState<string>();
  const held = mine.filter((o) => HOLDING.has(o.state)).reduce((sum, o) => sum + o.quantity, 0);
  // A lapsed reservation is cancelled by the server's next sweep: it is not one to pay any more.
  const pending = mine.find(
    (o) => o.state === 'pending_payment' && (o.expiresAt === null || Date.parse(o.expiresAt) > serverNow()),
  );

  // An order placed earlier and not paid yet (the page was reloaded): carry on paying it.
  useEffect(() => {
    if (pending && step.kind === 'choose') setStep({ kind: 'reserved', order: pending });
  }, [pending, step.kind]);

  return (
    <section className="buy-panel card" aria-labelledby="buy-heading">
      <h2 id="buy-heading">{campaign.mode === 'crowdfunding' ? t('buy.pledgeTitle') : t('buy.title')}</h2>
      {refusal && (
        <div className="notice notice-error refusal" role="alert">
          <p>{refusal}</p>
        </div>
      )}
      {!me ? (
        <div className="notice">
          <p>{t('buy.signIn')}</p>
          <Link className="btn btn-primary" to={`/signin?next=${encodeURIComponent(location.pathname)}`}>
            {t('nav.signIn')}
          </Link>
        </div>
      ) : step.kind === 'choose' ? (
        <ChooseQuantity
          campaign={campaign}
          stock={stock}
          shown={shown}
          held={held}
          refused={!!refusal}
          onOrdered={(order) => {
            setRefusal(undefined);
            setStep({ kind: 'reserved', order });
            onChanged();
          }}
          onRefused={(remaining, message) => {
            setRefusal(message);
            onRefused(remaining);
          }}
        />
      ) : step.kind === 'reserved' ? (
        <Reserved
          order={step.order}
          onPaid={(order, payment) => {
            setStep({ kind: 'paid', order, payment });
            onChanged();
          }}
          onGone={() => {
            setStep({ kind: 'choose' });
            onChanged();
          }}
          onOrder={(order) => setStep({ kind: 'reserved', order })}
        />
      ) : (
        <Paid order={step.order} payment={step.payment} onOrder={(order) => setStep({ ...step, order })} />
      )}
      {me && held > 0 && step.kind === 'choose' && (
        <p className="meta">
          {t('buy.youHold', { count: held, n: f.number(held) })} <Link to="/me/orders">{t('buy.toMyOrders')}</Link>
        </p>
      )}
    </section>
  );
}

function ChooseQuantity({
  campaign,
  stock,
  shown,
  held,
  refused,
  onOrdered,
  onRefused,
}: {
  campaign: Campaign;
  stock: CampaignStock;
  shown: CampaignState;
  held: number;
  /** A refusal is on show already: no second notice saying the same. */
  refused: boolean;
  onOrdered: (order: Order) => void;
  onRefused: (remaining: number | undefined, message: string) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const [quantity, setQuantity] = useState('1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const attempt = useAttempt();
  const now = useServerNow(shown === 'scheduled');
  const startsIn = useCountdownText(stock.startsAt, now);
  const limitLeft = campaign.perMemberLimit === null ? null : Math.max(0, campaign.perMemberLimit - held);
  const max = Math.max(1, Math.min(stock.remaining || 1, limitLeft ?? Number.MAX_SAFE_INTEGER));

  if (shown === 'sold_out') return refused ? null : <p className="notice">{t('buy.soldOutNote')}</p>;
  if (shown === 'ended' || shown === 'settled') return refused ? null : <p className="notice">{t('problems.ended')}</p>;
  if (limitLeft === 0) {
    return (
      <p className="notice">
        {t('problems.limit', {
          limit: f.number(campaign.perMemberLimit ?? 0),
          already: f.number(held),
          left: f.number(0),
        })}
      </p>
    );
  }

  async function order(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const n = Number(quantity);
    if (!/^\d{1,7}$/.test(quantity.trim()) || n < 1) return setProblem(t('buy.errors.quantity'));
    if (limitLeft !== null && n > limitLeft) {
      return setProblem(
        t('problems.limit', {
          limit: f.number(campaign.perMemberLimit ?? 0),
          already: f.number(held),
          left: f.number(limitLeft),
        }),
      );
    }
    setProblem(undefined);
    const body = { quantity: n };
    const key = attempt.keyFor(JSON.stringify(body));
    setBusy(true);
    try {
      const placed = await api.orders.place(campaign.id, body, key);
      attempt.settled();
      onOrdered(placed);
    } catch (err) {
      attempt.settled(err);
      if (err instanceof ApiError && err.isNetwork) setError(t('buy.networkRetry'));
      else {
        const message = campaignProblem(t, f, err);
        if (err instanceof ApiError && (err.kind === 'sold-out' || err.kind === 'not-live')) {
          onRefused(typeof err.extra.remaining === 'number' ? err.extra.remaining : undefined, message);
        } else if (err instanceof ApiError && err.kind === 'limit-exceeded') setProblem(message);
        else setError(message);
      }
    } finally {
      setBusy(false);
    }
  }

  const scheduled = shown === 'scheduled' || shown === 'draft';
  const buyLabel =
    campaign.mode === 'flash' ? t('buy.grab') : campaign.mode === 'crowdfunding' ? t('buy.pledge') : t('buy.order');
  return (
    <form className="form buy-form" onSubmit={order} noValidate>
      <div className={`field field-short ${problem ? 'field-invalid' : ''}`}>
        <label htmlFor={`${id}-q`}>{t('buy.quantity')}</label>
        <input
          id={`${id}-q`}
          type="number"
          inputMode="numeric"
          min={1}
          max={max}
          step={1}
          value={quantity}
          onChange={(e) => {
            setQuantity(e.target.value);
            setProblem(undefined);
          }}
          aria-invalid={!!problem}
          aria-describedby={`${id}-hint${problem ? ` ${id}-error` : ''}`}
        />
        <p className="hint" id={`${id}-hint`}>
          {limitLeft === null
            ? t('buy.quantityHint', { n: f.number(stock.remaining) })
            : t('buy.quantityHintLimit', { n: f.number(stock.remaining), left: f.number(limitLeft) })}
        </p>
        {problem && (
          <p className="field-error" id={`${id}-error`} role="alert">
            {problem}
          </p>
        )}
      </div>
      {stock.tier && (
        <p className="meta" aria-live="polite">
          {t('buy.estimate', { price: f.money(stock.tier.unitPrice) })}
        </p>
      )}
      <FormAlert error={error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary btn-buy" disabled={busy || scheduled}>
          {scheduled ? t('buy.startsIn', { clock: startsIn }) : busy ? t('buy.ordering') : buyLabel}
        </button>
      </p>
      <p className="hint">
        {t('buy.reserveHint', { count: campaign.paymentTimeoutMinutes, n: f.number(campaign.paymentTimeoutMinutes) })}
      </p>
    </form>
  );
}

/** An order holding its units: what it costs, how long the units are held, the payment, or cancel it. */
function Reserved({
  order,
  onPaid,
  onGone,
  onOrder,
}: {
  order: Order;
  onPaid: (order: Order, payment: Payment) => void;
  onGone: () => void;
  onOrder: (order: Order) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const now = useServerNow();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const lapsed = order.expiresAt !== null && Date.parse(order.expiresAt) <= now;

  async function cancel() {
    setBusy(true);
    setError(undefined);
    try {
      await api.orders.cancel(order.id);
      onGone();
    } catch (err) {
      setError(campaignProblem(t, f, err));
    } finally {
      setBusy(false);
    }
  }

  const paid = (payment: Payment) => {
    api.orders.get(order.id).then(
      (o) => onPaid(o, payment),
      () => onPaid(order, payment),
    );
  };

  return (
    <div className="reserved">
      <div className="notice notice-ok" role="status">
        <p>
          <strong>
            {t('buy.reserved', { count: order.quantity, n: f.number(order.quantity), total: f.money(order.total) })}
          </strong>
        </p>
        {order.lines.length > 1 && (
          <ul className="plain-list">
            {order.lines.map((l) => (
              <li key={l.tier}>{t('buy.line', { count: l.quantity, n: f.number(l.quantity), price: f.money(l.unitPrice) })}</li>
            ))}
          </ul>
        )}
        {order.expiresAt && !lapsed && <Countdown to={order.expiresAt} label={t('buy.heldFor')} className="is-urgent" />}
      </div>
      {lapsed ? (
        <div className="notice notice-error" role="alert">
          <p>{t('problems.lapsed')}</p>
          <button type="button" className="btn btn-small" onClick={onGone}>
            {t('buy.orderAgain')}
          </button>
        </div>
      ) : (
        <>
          <PayPanel
            order={order}
            onPaid={paid}
            onPayment={() => {
              // A bank transfer holds the units longer: show the new expiry.
              api.orders.get(order.id).then(onOrder, () => undefined);
            }}
          />
          <FormAlert error={error} />
          <p className="actions">
            <button type="button" className="btn btn-ghost btn-small" disabled={busy} onClick={() => void cancel()}>
              {t('buy.cancel')}
            </button>
          </p>
        </>
      )}
    </div>
  );
}

/** The money is in (or held): the outcome, where to deliver, and the way to my orders. */
function Paid({ order, payment, onOrder }: { order: Order; payment: Payment; onOrder: (o: Order) => void }) {
  const { t } = useTranslation();
  return (
    <div className="paid">
      <PaymentStatus payment={payment} />
      <p className="lede">{order.mode === 'crowdfunding' ? t('buy.thanksPledge') : t('buy.thanks')}</p>
      {order.shipping ? (
        <p className="meta">{t('buy.shippingSaved')}</p>
      ) : (
        <details className="shipping-details" open>
          <summary>{t('shipping.title')}</summary>
          <p className="hint">{t('shipping.hint')}</p>
          <ShippingForm order={order} onSaved={onOrder} />
        </details>
      )}
      <p className="actions">
        <Link className="btn" to="/me/orders">
          {t('buy.toMyOrders')}
        </Link>
      </p>
    </div>
  );
}
