import type { TFunction } from 'i18next';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api';
import type { CampaignMode, CampaignState, CreateCampaignBody, Product } from '../../api/types';
import { useApi, usePaged } from '../../app/useApi';
import { Async } from '../../components/Async';
import { CampaignCard } from '../../components/CampaignCard';
import { FormAlert, SelectField, TextArea, TextField, useSubmit } from '../../components/Form';
import { PagedList } from '../../components/PagedList';
import { minorDigits } from '../../i18n/format';

const MODES: CampaignMode[] = ['flash', 'presale', 'crowdfunding', 'trial'];
const STATES: (CampaignState | 'all')[] = ['all', 'draft', 'scheduled', 'live', 'sold_out', 'ended', 'settled'];

/** `datetime-local` value (to the second) of a time. */
export const localInput = (ms: number) => {
  const d = new Date(ms);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
};

/** The operator's campaigns: every campaign (drafts included) by state, and the form to draft one. */
export function CampaignsDesk() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const [state, setState] = useState<CampaignState | 'all'>('all');
  const list = usePaged(
    (cursor) => api.campaigns.list({ limit: 20, cursor, state: state === 'all' ? undefined : state }),
    [state],
  );
  const productId = params.get('productId') ?? undefined;
  return (
    <div className="campaigns-desk">
      <details className="create-community create-campaign-box" open={!!productId}>
        <summary>{t('campaignForm.title')}</summary>
        <CreateCampaign initialProductId={productId} />
      </details>
      <div className="section-head">
        <h2>{t('campaignDesk.title')}</h2>
        <label className="inline-select">
          <span>{t('campaignDesk.filter')}</span>
          <select value={state} onChange={(e) => setState(e.target.value as CampaignState | 'all')}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s === 'all' ? t('campaignDesk.all') : t(`campaignState.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <PagedList
        list={list}
        empty={t('campaignDesk.none')}
        render={(c) => <CampaignCard key={c.id} campaign={c} to={`/operator/campaigns/${c.id}`} />}
      />
    </div>
  );
}

/** The server's wording for campaign problems, in the UI's language where known. */
export function campaignFormMessage(t: TFunction, message: string | undefined): string | undefined {
  if (!message) return undefined;
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/must be after startsAt/, () => t('campaignForm.errors.endBeforeStart')],
    [/must be at most the quantity \((\d+)\)/, (m) => t('campaignForm.errors.atMostQuantity', { n: m[1] })],
    [/needs a goal/, () => t('campaignForm.errors.goalNeeded')],
    [/only a crowdfunding campaign has a goal/, () => t('campaignForm.errors.goalOnlyCrowdfunding')],
    [/must be the price tiers’ currency/, () => t('campaignForm.errors.goalCurrency')],
    [/a trial selects its applicants/, () => t('campaignForm.errors.trialNoFirstClaim')],
    [/supporters’ window must end before/, () => t('campaignForm.errors.windowTooLong')],
    [/currency of the first/, () => t('campaignForm.errors.oneCurrency')],
    [/a trial is free/, () => t('campaignForm.errors.trialFree')],
    [/must be more than 0$/, () => t('campaignForm.errors.pricePositive')],
    [/only the last tier may be open-ended/, () => t('campaignForm.errors.onlyLastOpen')],
    [/must be more than (\d+)/, (m) => t('campaignForm.errors.upToAbove', { n: m[1] })],
    [/reaches the quantity \((\d+)\)/, (m) => t('campaignForm.errors.tierReachesQuantity', { n: m[1] })],
    [/last tier must reach the quantity \((\d+)\)/, (m) => t('campaignForm.errors.lastTierShort', { n: m[1] })],
    [/no such product|give productId or needId/, () => t('campaignForm.errors.product')],
    [/give at least one price tier/, () => t('campaignForm.errors.tierNeeded')],
  ];
  for (const [re, say] of rules) {
    const m = re.exec(message);
    if (m) return say(m);
  }
  return message;
}

interface TierRow {
  key: number;
  upTo: string;
  price: string;
}

const wholeOk = (v: string) => /^\d{1,8}$/.test(v.trim()) && Number(v) >= 1;

/** Drafts a campaign: product, mode, quantity, price tiers, limit, window, goal, first claim, payment timeout. */
function CreateCampaign({ initialProductId }: { initialProductId?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const id = useId();
  const products = useApi(() => api.products.list({ limit: 100 }).then((p) => p.items), []);
  const [productId, setProductId] = useState(initialProductId ?? '');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [mode, setMode] = useState<CampaignMode>('flash');
  const [quantity, setQuantity] = useState('');
  const [currency, setCurrency] = useState('CNY');
  const [tiers, setTiers] = useState<TierRow[]>([{ key: 0, upTo: '', price: '' }]);
  const [nextKey, setNextKey] = useState(1);
  const [limit, setLimit] = useState('');
  const [startsAt, setStartsAt] = useState(() => localInput(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000));
  const [endsAt, setEndsAt] = useState(() => localInput(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 25 * 3_600_000));
  const [goalKind, setGoalKind] = useState<'units' | 'amount'>('units');
  const [goal, setGoal] = useState('');
  const [claimMinutes, setClaimMinutes] = useState('');
  const [claimUnits, setClaimUnits] = useState('');
  const [claimUnitsMinutes, setClaimUnitsMinutes] = useState('');
  const [timeout, setTimeoutMinutes] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit();
  const err = (path: string) => problems[path] ?? campaignFormMessage(t, submit.fieldError(path));
  const tierErr = (i: number, part: 'upTo' | 'unitPrice') =>
    problems[`priceTiers.${i}.${part}`] ??
    campaignFormMessage(t, submit.fields[`priceTiers.${i}.${part === 'upTo' ? 'upTo' : 'unitPrice.amount'}`]);
  const currencyErr =
    problems.currency ??
    campaignFormMessage(t, Object.entries(submit.fields).find(([k]) => /^priceTiers\.\d+\.unitPrice\.currency$/.test(k))?.[1]);
  const trial = mode === 'trial';

  const pickProduct = (list: Product[], value: string) => {
    setProductId(value);
    const p = list.find((x) => x.id === value);
    if (p && !title.trim()) setTitle(p.name);
  };

  async function create(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!productId) found.productId = t('campaignForm.errors.product');
    if (!title.trim()) found.title = t('fieldErrors.required');
    if (!wholeOk(quantity)) found.quantity = quantity.trim() ? t('partner.errors.wholeNumber') : t('fieldErrors.required');
    const code = currency.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(code)) found.currency = t('agreement.errors.currencyCode');
    const digits = /^[A-Z]{3}$/.test(code) ? minorDigits(code) : 2;
    const priceTiers = tiers.map((row, i) => {
      const last = i === tiers.length - 1;
      if (row.upTo.trim() ? !wholeOk(row.upTo) : !last) {
        found[`priceTiers.${i}.upTo`] = row.upTo.trim() ? t('partner.errors.wholeNumber') : t('campaignForm.errors.upToNeeded');
      }
      const amount = Math.round(Number(row.price) * 10 ** digits);
      if (!row.price.trim()) found[`priceTiers.${i}.unitPrice`] = t('fieldErrors.required');
      else if (!/^\d{1,12}(\.\d+)?$/.test(row.price.trim()) || amount < 1) {
        found[`priceTiers.${i}.unitPrice`] = t('agreement.errors.amount');
      }
      return { upTo: row.upTo.trim() ? Number(row.upTo) : null, unitPrice: { amount, currency: code } };
    });
    if (limit.trim() && !wholeOk(limit)) found.perMemberLimit = t('partner.errors.wholeNumber');
    const start = new Date(startsAt);
    const end = new Date(endsAt);
    if (Number.isNaN(start.getTime())) found.startsAt = t('fieldErrors.required');
    if (Number.isNaN(end.getTime())) found.endsAt = t('fieldErrors.required');
    else if (!Number.isNaN(start.getTime()) && end <= start) found.endsAt = t('campaignForm.errors.endBeforeStart');
    let goalBody: CreateCampaignBody['goal'];
    if (mode === 'crowdfunding') {
      if (goalKind === 'units') {
        if (!wholeOk(goal)) found.goal = goal.trim() ? t('partner.errors.wholeNumber') : t('fieldErrors.required');
        goalBody = { units: Number(goal) };
      } else {
        const amount = Math.round(Number(goal) * 10 ** digits);
        if (!/^\d{1,12}(\.\d+)?$/.test(goal.trim()) || amount < 1) {
          found.goal = goal.trim() ? t('agreement.errors.amount') : t('fieldErrors.required');
        }
        goalBody = { amount: { amount, currency: code } };
      }
    }
    const minutes = claimMinutes.trim() ? Number(claimMinutes) : 0;
    const reserved = claimUnits.trim() ? Number(claimUnits) : 0;
    if (claimMinutes.trim() && !/^\d{1,6}$/.test(claimMinutes.trim()))
      found['firstClaim.minutes'] = t('partner.errors.wholeNumber');
    if (claimUnits.trim() && !/^\d{1,8}$/.test(claimUnits.trim()))
      found['firstClaim.reservedUnits'] = t('partner.errors.wholeNumber');
    if (claimUnitsMinutes.trim() && !wholeOk(claimUnitsMinutes)) {
      found['firstClaim.reservedMinutes'] = t('partner.errors.wholeNumber');
    }
    if (timeout.trim() && !wholeOk(timeout)) found.paymentTimeoutMinutes = t('partner.errors.wholeNumber');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const body: CreateCampaignBody = {
      productId,
      title: title.trim(),
      description: description.trim(),
      mode,
      quantity: Number(quantity),
      ...(trial ? {} : { priceTiers }),
      perMemberLimit: limit.trim() ? Number(limit) : null,
      startsAt: start.toISOString(),
      endsAt: end.toISOString(),
      ...(goalBody ? { goal: goalBody } : {}),
      ...(!trial && (minutes > 0 || reserved > 0)
        ? {
            firstClaim: {
              minutes,
              reservedUnits: reserved,
              reservedMinutes: claimUnitsMinutes.trim() ? Number(claimUnitsMinutes) : null,
            },
          }
        : {}),
      ...(timeout.trim() && !trial ? { paymentTimeoutMinutes: Number(timeout) } : {}),
    };
    const created = await submit.run(() => api.campaigns.create(body));
    if (created) navigate(`/operator/campaigns/${created.id}`);
  }

  return (
    <Async state={products.state} reload={products.reload}>
      {(list) => (
        <form className="form create-campaign" onSubmit={create} noValidate>
          <SelectField
            label={t('campaignForm.product')}
            value={productId}
            onChange={(e) => pickProduct(list, e.target.value)}
            error={err('productId') ?? err('needId')}
          >
            <option value="">{t('campaignForm.pickProduct')}</option>
            {list.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
          <TextField
            label={t('campaignForm.name')}
            maxLength={200}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            error={err('title')}
          />
          <TextArea
            label={t('campaignForm.description')}
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            error={err('description')}
          />
          <fieldset>
            <legend>{t('campaignForm.mode')}</legend>
            <div className="choice-row">
              {MODES.map((m) => (
                <label key={m} className="choice">
                  <input type="radio" name={`${id}-mode`} value={m} checked={mode === m} onChange={() => setMode(m)} />
                  {t(`campaignMode.${m}`)}
                </label>
              ))}
            </div>
            <p className="hint">{t(`campaignForm.modeHint.${mode}`)}</p>
          </fieldset>
          <div className="inline-fields">
            <TextField
              label={trial ? t('campaignForm.samples') : t('campaignForm.quantity')}
              inputMode="numeric"
              value={quantity}
              onChange={(e) => setQuantity(e.target.value)}
              error={err('quantity')}
            />
            <TextField
              label={t('campaignForm.perMemberLimit')}
              hint={t('campaignForm.perMemberLimitHint')}
              inputMode="numeric"
              value={limit}
              onChange={(e) => setLimit(e.target.value)}
              error={err('perMemberLimit')}
            />
          </div>
          {!trial && (
            <fieldset className="tiers-editor">
              <legend>{t('campaignForm.tiers')}</legend>
              <p className="hint">{t('campaignForm.tiersHint')}</p>
              <TextField
                label={t('agreement.currency')}
                className="field-short"
                maxLength={3}
                value={currency}
                onChange={(e) => setCurrency(e.target.value)}
                error={currencyErr}
              />
              <ol className="share-rows">
                {tiers.map((row, i) => (
                  <li key={row.key} className="share-row tier-row">
                    <TextField
                      label={t('campaignForm.tierUpTo', { index: i + 1 })}
                      inputMode="numeric"
                      placeholder={i === tiers.length - 1 ? t('campaignForm.tierRest') : undefined}
                      value={row.upTo}
                      onChange={(e) =>
                        setTiers((old) => old.map((r) => (r.key === row.key ? { ...r, upTo: e.target.value } : r)))
                      }
                      error={tierErr(i, 'upTo')}
                    />
                    <TextField
                      label={t('campaignForm.tierPrice', { index: i + 1 })}
                      inputMode="decimal"
                      value={row.price}
                      onChange={(e) =>
                        setTiers((old) => old.map((r) => (r.key === row.key ? { ...r, price: e.target.value } : r)))
                      }
                      error={tierErr(i, 'unitPrice')}
                    />
                    {tiers.length > 1 && (
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        aria-label={t('campaignForm.removeTier', { index: i + 1 })}
                        onClick={() => setTiers((old) => old.filter((r) => r.key !== row.key))}
                      >
                        {t('pollForm.removeOption')}
                      </button>
                    )}
                  </li>
                ))}
              </ol>
              {tiers.length < 10 && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => {
                    setTiers((old) => [...old, { key: nextKey, upTo: '', price: '' }]);
                    setNextKey((k) => k + 1);
                  }}
                >
                  {t('campaignForm.addTier')}
                </button>
              )}
            </fieldset>
          )}
          <div className="inline-fields">
            <TextField
              label={t('campaignForm.startsAt')}
              type="datetime-local"
              step={1}
              value={startsAt}
              onChange={(e) => setStartsAt(e.target.value)}
              error={err('startsAt')}
            />
            <TextField
              label={mode === 'crowdfunding' ? t('campaignForm.deadline') : t('campaignForm.endsAt')}
              type="datetime-local"
              step={1}
              value={endsAt}
              onChange={(e) => setEndsAt(e.target.value)}
              error={err('endsAt')}
            />
          </div>
          {mode === 'crowdfunding' && (
            <fieldset>
              <legend>{t('campaignForm.goal')}</legend>
              <div className="choice-row">
                {(['units', 'amount'] as const).map((k) => (
                  <label key={k} className="choice">
                    <input type="radio" name={`${id}-goal`} checked={goalKind === k} onChange={() => setGoalKind(k)} />
                    {t(`campaignForm.goalKind.${k}`)}
                  </label>
                ))}
              </div>
              <TextField
                label={goalKind === 'units' ? t('campaignForm.goalUnits') : t('campaignForm.goalAmount', { currency })}
                className="field-short"
                inputMode={goalKind === 'units' ? 'numeric' : 'decimal'}
                value={goal}
                onChange={(e) => setGoal(e.target.value)}
                error={err('goal')}
              />
            </fieldset>
          )}
          {!trial && (
            <fieldset>
              <legend>{t('campaignForm.firstClaim')}</legend>
              <p className="hint">{t('campaignForm.firstClaimHint')}</p>
              <div className="inline-fields inline-3">
                <TextField
                  label={t('campaignForm.claimMinutes')}
                  inputMode="numeric"
                  value={claimMinutes}
                  onChange={(e) => setClaimMinutes(e.target.value)}
                  error={err('firstClaim.minutes') ?? err('firstClaim')}
                />
                <TextField
                  label={t('campaignForm.claimUnits')}
                  inputMode="numeric"
                  value={claimUnits}
                  onChange={(e) => setClaimUnits(e.target.value)}
                  error={err('firstClaim.reservedUnits')}
                />
                <TextField
                  label={t('campaignForm.claimUnitsMinutes')}
                  hint={t('campaignForm.claimUnitsMinutesHint')}
                  inputMode="numeric"
                  value={claimUnitsMinutes}
                  onChange={(e) => setClaimUnitsMinutes(e.target.value)}
                  error={err('firstClaim.reservedMinutes')}
                />
              </div>
            </fieldset>
          )}
          {!trial && (
            <TextField
              label={t('campaignForm.timeout')}
              hint={t('campaignForm.timeoutHint')}
              className="field-short"
              inputMode="numeric"
              value={timeout}
              onChange={(e) => setTimeoutMinutes(e.target.value)}
              error={err('paymentTimeoutMinutes')}
            />
          )}
          <FormAlert error={submit.error} />
          <p className="actions">
            <button type="submit" className="btn btn-primary" disabled={submit.busy}>
              {t('campaignForm.submit')}
            </button>
          </p>
        </form>
      )}
    </Async>
  );
}
