import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api';
import type { Order, Payment, ProviderInfo, ProviderName, Shipping } from '../api/types';
import { useApi } from '../app/useApi';
import { useFormat } from '../i18n/format';
import { ErrorNotice, Loading } from './Async';
import { campaignProblem } from './campaignProblems';
import { FormAlert, TextField, useSubmit } from './Form';

/** A fresh Idempotency-Key (a UUID; `randomUUID` needs a secure context, `getRandomValues` does not). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One Idempotency-Key per attempt: a request that failed on the network is sent again with the
 * same key (the server answers with what it did, never a second order or charge); any other
 * outcome, or a different request, starts a new attempt with a new key.
 */
export function useAttempt() {
  const ref = useRef<{ key: string; what: string; retry: boolean } | null>(null);
  return {
    keyFor(what: string): string {
      const a = ref.current;
      if (a?.retry && a.what === what) return a.key;
      const key = newIdempotencyKey();
      ref.current = { key, what, retry: false };
      return key;
    },
    settled(error?: unknown) {
      if (error instanceof ApiError && error.isNetwork && ref.current) ref.current.retry = true;
      else ref.current = null;
    },
  };
}

let providersOnce: Promise<ProviderInfo[]> | undefined;
/** The payment providers offered (asked once per page load). */
function providers(): Promise<ProviderInfo[]> {
  providersOnce ??= api.payments.providers().then(
    (r) => r.items,
    (err: unknown) => {
      providersOnce = undefined;
      throw err;
    },
  );
  return providersOnce;
}

const FINAL = new Set(['captured', 'authorised', 'failed', 'voided']);

/**
 * Pays a pending order: choose a provider (the simulated payer of demos, or a bank transfer an
 * operator confirms), pay, and see what happened. A bank transfer shows the reference to quote; a
 * provider still confirming is asked again every two seconds. `onPaid` hears of money captured
 * or authorised; `onPayment` of every payment made (the order's reservation may have changed).
 */
export function PayPanel({
  order,
  onPaid,
  onPayment,
}: {
  order: Order;
  onPaid: (payment: Payment) => void;
  onPayment?: (payment: Payment) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const offered = useApi(providers, []);
  const earlier = useApi(() => api.payments.ofOrder(order.id).then((r) => r.items), [order.id]);
  const [provider, setProvider] = useState<ProviderName>();
  const [decline, setDecline] = useState(false);
  const [payment, setPayment] = useState<Payment>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const attempt = useAttempt();
  const onPaidRef = useRef(onPaid);
  onPaidRef.current = onPaid;

  // A payment started earlier (a bank transfer not yet confirmed) is the current one.
  useEffect(() => {
    if (earlier.state.status !== 'ok' || payment) return;
    const pending = earlier.state.data.filter((p) => p.state === 'pending').pop();
    if (pending) setPayment(pending);
  }, [earlier.state, payment]);

  // A provider still confirming: ask again until it says.
  const waiting = payment?.state === 'pending' && payment.nextAction?.kind !== 'bank_transfer';
  useEffect(() => {
    if (!waiting || !payment) return;
    const timer = setInterval(() => {
      api.payments.get(payment.id).then(
        (p) => {
          if (p.state !== 'pending') {
            setPayment(p);
            if (p.state === 'captured' || p.state === 'authorised') onPaidRef.current(p);
          }
        },
        () => undefined,
      );
    }, 2000);
    return () => clearInterval(timer);
  }, [waiting, payment]);

  if (offered.state.status === 'loading') return <Loading />;
  if (offered.state.status === 'error') return <ErrorNotice error={offered.state.error} onRetry={offered.reload} />;
  const list = offered.state.data;
  const chosen = provider ?? list[0]?.name;
  const crowdfunding = order.mode === 'crowdfunding';

  async function pay(e: FormEvent) {
    e.preventDefault();
    if (!chosen) return;
    const body =
      chosen === 'simulated' && decline ? { provider: chosen, simulate: { outcome: 'decline' as const } } : { provider: chosen };
    const key = attempt.keyFor(JSON.stringify(body));
    setBusy(true);
    setError(undefined);
    try {
      const p = await api.payments.create(order.id, body, key);
      attempt.settled();
      setPayment(p);
      onPayment?.(p);
      if (p.state === 'captured' || p.state === 'authorised') onPaid(p);
    } catch (err) {
      attempt.settled(err);
      setError(err instanceof ApiError && err.isNetwork ? t('pay.networkRetry') : campaignProblem(t, f, err));
    } finally {
      setBusy(false);
    }
  }

  const showForm =
    !payment || payment.state === 'failed' || payment.state === 'voided' || payment.nextAction?.kind === 'bank_transfer';
  return (
    <div className="pay-panel">
      {payment && <PaymentStatus payment={payment} />}
      {showForm && !waiting && (
        <form className="form pay-form" onSubmit={pay} noValidate aria-label={t('pay.title')}>
          <fieldset disabled={busy}>
            <legend>{payment ? t('pay.another') : t('pay.choose')}</legend>
            <ul className="choice-list">
              {list.map((p) => (
                <li key={p.name}>
                  <label className={`poll-option ${chosen === p.name ? 'is-on' : ''}`}>
                    <input
                      type="radio"
                      name={`${id}-provider`}
                      value={p.name}
                      checked={chosen === p.name}
                      onChange={() => setProvider(p.name)}
                    />
                    <span>
                      <strong>{t(`pay.provider.${p.name}`)}</strong>
                      <span className="hint">
                        {t(`pay.providerHint.${p.name}`)}
                        {crowdfunding && (p.authorisation ? ` ${t('pay.authoriseOnly')}` : ` ${t('pay.noAuthorisation')}`)}
                      </span>
                    </span>
                  </label>
                </li>
              ))}
            </ul>
            {chosen === 'simulated' && (
              <label className="choice">
                <input type="checkbox" checked={decline} onChange={(e) => setDecline(e.target.checked)} />
                {t('pay.simulateDecline')}
              </label>
            )}
          </fieldset>
          <FormAlert error={error} />
          <p className="actions">
            <button type="submit" className="btn btn-primary btn-buy" disabled={busy || !chosen}>
              {busy ? t('pay.paying') : t('pay.submit', { total: f.money(order.total) })}
            </button>
          </p>
        </form>
      )}
    </div>
  );
}

/** What became of a payment: captured, authorised, declined, or waiting (with a transfer's instructions). */
export function PaymentStatus({ payment }: { payment: Payment }) {
  const { t } = useTranslation();
  const f = useFormat();
  const amount = f.money(payment.amount);
  switch (payment.state) {
    case 'captured':
      return (
        <div className="notice notice-ok" role="status">
          <p>
            <strong>{t('pay.captured', { amount })}</strong>
          </p>
        </div>
      );
    case 'authorised':
      return (
        <div className="notice notice-ok" role="status">
          <p>
            <strong>{t('pay.authorised', { amount })}</strong>
          </p>
          <p>{t('pay.authorisedHint')}</p>
        </div>
      );
    case 'failed':
      return (
        <div className="notice notice-error" role="alert">
          <p>
            <strong>{t('pay.failed')}</strong>
          </p>
          <p>{t('pay.failedHint')}</p>
        </div>
      );
    case 'voided':
      return (
        <div className="notice" role="status">
          <p>{t('pay.voided')}</p>
        </div>
      );
    default: {
      const next = payment.nextAction;
      if (next?.kind === 'bank_transfer') {
        return (
          <div className="notice notice-info bank-transfer" role="status">
            <p>
              <strong>{t('pay.transferTitle')}</strong>
            </p>
            <dl className="terms-grid">
              <div>
                <dt>{t('pay.transferAmount')}</dt>
                <dd>{amount}</dd>
              </div>
              {next.reference && (
                <div>
                  <dt>{t('pay.transferReference')}</dt>
                  <dd>
                    <code>{next.reference}</code>
                  </dd>
                </div>
              )}
            </dl>
            <p>{t('pay.transferHint')}</p>
            <p className="hint">
              {t('pay.transferPayee')} {next.instructions}
            </p>
          </div>
        );
      }
      return (
        <div className="notice" role="status">
          <Loading label={t('pay.confirming')} />
        </div>
      );
    }
  }
}

/** Whether a payment is final (captured, authorised, failed or voided). */
export const isFinal = (p: Payment) => FINAL.has(p.state);

/** Where to deliver an order: recipient, phone, address, postal code (until it ships). */
export function ShippingForm({ order, onSaved }: { order: Order; onSaved: (o: Order) => void }) {
  const { t } = useTranslation();
  const s = order.shipping;
  const [recipient, setRecipient] = useState(s?.recipient ?? '');
  const [phone, setPhone] = useState(s?.phone ?? '');
  const [address, setAddress] = useState(s?.address ?? '');
  const [postalCode, setPostalCode] = useState(s?.postalCode ?? '');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit();
  const err = (path: string) => problems[path] ?? submit.fieldError(path);

  async function save(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!recipient.trim()) found.recipient = t('fieldErrors.required');
    if (phone.trim().length < 3) found.phone = phone.trim() ? t('shipping.errors.phone') : t('fieldErrors.required');
    if (!address.trim()) found.address = t('fieldErrors.required');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const body: Shipping = {
      recipient: recipient.trim(),
      phone: phone.trim(),
      address: address.trim(),
      ...(postalCode.trim() ? { postalCode: postalCode.trim() } : {}),
    };
    const saved = await submit.run(() => api.orders.setShipping(order.id, body));
    if (saved) onSaved(saved);
  }

  return (
    <form className="form shipping-form" onSubmit={save} noValidate aria-label={t('shipping.title')}>
      <div className="inline-fields">
        <TextField
          label={t('shipping.recipient')}
          autoComplete="name"
          maxLength={100}
          value={recipient}
          onChange={(e) => setRecipient(e.target.value)}
          error={err('recipient')}
        />
        <TextField
          label={t('shipping.phone')}
          type="tel"
          autoComplete="tel"
          maxLength={40}
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          error={err('phone')}
        />
      </div>
      <TextField
        label={t('shipping.address')}
        autoComplete="street-address"
        maxLength={500}
        value={address}
        onChange={(e) => setAddress(e.target.value)}
        error={err('address')}
      />
      <TextField
        label={t('shipping.postalCode')}
        autoComplete="postal-code"
        maxLength={20}
        value={postalCode}
        onChange={(e) => setPostalCode(e.target.value)}
        error={err('postalCode')}
        className="field-short"
      />
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn" disabled={submit.busy}>
          {t('shipping.save')}
        </button>
      </p>
    </form>
  );
}

/** A shipping address in one line. */
export function shippingLine(s: Shipping): string {
  return [s.recipient, s.phone, s.address, s.postalCode].filter(Boolean).join(' · ');
}
