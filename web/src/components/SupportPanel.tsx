import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { api } from '../api';
import type { Need, PurchaseIntent } from '../api/types';
import { useAuth } from '../app/auth';
import { minorDigits, useFormat } from '../i18n/format';
import { ErrorNotice } from './Async';
import { FormAlert, TextField, useSubmit } from './Form';
import { MilestoneBar } from './MilestoneBar';

const CURRENCY = 'CNY';

/**
 * Support for a need: the button with its live count (optimistic, rolled back when the server
 * refuses), the milestone bar that moves with it, and the purchase intent "I'd buy 2 at up to ¥60".
 */
export function SupportPanel({ need, onChanged }: { need: Need; onChanged: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { me } = useAuth();
  const location = useLocation();
  const [supported, setSupported] = useState(!!need.supported);
  const [count, setCount] = useState(need.supportCount);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<{ error: unknown; retry: () => void }>();

  // A fresh copy of the need (after a reload) is the truth again.
  useEffect(() => {
    setSupported(!!need.supported);
    setCount(need.supportCount);
  }, [need.supported, need.supportCount]);

  const open = need.stage === 'open';
  const own = me?.id === need.author.id;

  async function toggle() {
    const before = { supported, count };
    const next = !supported;
    setSupported(next);
    setCount(count + (next ? 1 : -1));
    setFailure(undefined);
    setPending(true);
    try {
      const reply = next ? await api.needs.support(need.id) : await api.needs.unsupport(need.id);
      setSupported(reply.supported);
      setCount(reply.supportCount);
      onChanged();
    } catch (error) {
      setSupported(before.supported);
      setCount(before.count);
      setFailure({ error, retry: () => void toggle() });
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="support-panel" aria-labelledby="support-heading">
      <h2 id="support-heading" className="sr-only">
        {t('support.heading')}
      </h2>
      <div className="support-row">
        {!open && !supported ? null : me ? (
          <button
            type="button"
            className={`btn btn-support ${supported ? 'is-on' : ''}`}
            aria-pressed={supported}
            onClick={toggle}
            disabled={!open || own || pending}
          >
            <span aria-hidden="true">{supported ? '♥' : '♡'}</span> {supported ? t('support.supported') : t('support.support')}
          </button>
        ) : (
          <Link className="btn btn-support" to={`/signin?next=${encodeURIComponent(location.pathname)}`}>
            {t('support.signInToSupport')}
          </Link>
        )}
        <output className="support-count" aria-live="polite" data-testid="support-count">
          {t('need.supports', { count, n: f.number(count) })}
        </output>
      </div>
      {!open && <p className="hint">{t('support.closed')}</p>}
      {open && own && <p className="hint">{t('support.own')}</p>}
      {failure && <ErrorNotice error={failure.error} onRetry={failure.retry} />}
      <MilestoneBar need={need} supportCount={count} />
      <p className="intent-summary">
        {need.intent.supporters > 0
          ? t('intent.summary', {
              count: need.intent.supporters,
              n: f.number(need.intent.supporters),
              units: f.number(need.intent.quantity),
            })
          : t('intent.none')}
      </p>
      {me && open && supported && <IntentForm need={need} onSaved={onChanged} />}
    </section>
  );
}

/** "I'd buy [2] at up to ¥[60]": saved with the support (PUT /needs/{id}/support with an intent). */
function IntentForm({ need, onSaved }: { need: Need; onSaved: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const digits = minorDigits(CURRENCY);
  const mine = need.myIntent ?? null;
  const [quantity, setQuantity] = useState(mine ? String(mine.quantity) : '1');
  const [price, setPrice] = useState(mine ? String(mine.maxUnitPrice.amount / 10 ** digits) : '');
  const [saved, setSaved] = useState(false);
  const submit = useSubmit();

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const intent: PurchaseIntent = {
      quantity: Number.parseInt(quantity, 10),
      maxUnitPrice: { amount: Math.round(Number.parseFloat(price) * 10 ** digits), currency: CURRENCY },
    };
    const ok = await submit.run(() => api.needs.support(need.id, intent));
    if (ok) {
      setSaved(true);
      onSaved();
    }
  }

  return (
    <details className="intent" open={!mine}>
      <summary>
        {mine ? t('intent.mine', { quantity: f.number(mine.quantity), price: f.money(mine.maxUnitPrice) }) : t('intent.ask')}
      </summary>
      <form className="intent-form" onSubmit={save} noValidate>
        <p className="intent-sentence">{t('intent.sentence')}</p>
        <div className="inline-fields">
          <TextField
            label={t('intent.quantity')}
            type="number"
            inputMode="numeric"
            min={1}
            max={1000}
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
            error={submit.fieldError('intent.quantity')}
          />
          <TextField
            label={t('intent.maxPrice', { currency: '¥' })}
            type="number"
            inputMode="decimal"
            min={0}
            step="0.01"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
            error={submit.fieldError('intent.maxUnitPrice')}
          />
        </div>
        <FormAlert error={submit.error} />
        <button type="submit" className="btn" disabled={submit.busy}>
          {submit.busy ? t('common.saving') : t('intent.save')}
        </button>
        {saved && (
          <span className="saved" role="status">
            {t('common.saved')}
          </span>
        )}
      </form>
    </details>
  );
}
