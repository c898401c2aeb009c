import type { TFunction } from 'i18next';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import type { Agreement, AgreementTerms } from '../../api/types';
import { FormAlert, TextField, useSubmit } from '../../components/Form';
import { roleLabel } from '../../components/roles';
import { minorDigits } from '../../i18n/format';

interface ShareRow {
  key: number;
  role: string;
  percent: string;
}

interface Draft {
  currency: string;
  price: string;
  makerCost: string;
  platformFee: string;
  referral: string;
  poolMode: 'rest' | 'share';
  poolShare: string;
  shares: ShareRow[];
  needAuthor: string;
  chosenSolutionAuthors: string;
  earlyFirst: string;
  earlyWeight: string;
  pollVoters: string;
  trialReviewers: string;
}

const WEIGHTS = ['needAuthor', 'chosenSolutionAuthors', 'earlyWeight', 'pollVoters', 'trialReviewers'] as const;
const WEIGHT_PATH: Record<(typeof WEIGHTS)[number] | 'earlyFirst', string> = {
  needAuthor: 'contributionWeights.needAuthor',
  chosenSolutionAuthors: 'contributionWeights.chosenSolutionAuthors',
  earlyWeight: 'contributionWeights.earlySupporters.weight',
  earlyFirst: 'contributionWeights.earlySupporters.first',
  pollVoters: 'contributionWeights.pollVoters',
  trialReviewers: 'contributionWeights.trialReviewers',
};
const WEIGHT_LABEL: Record<(typeof WEIGHTS)[number] | 'earlyFirst', string> = {
  needAuthor: 'agreement.weight.needAuthor',
  chosenSolutionAuthors: 'agreement.weight.chosenSolutionAuthors',
  earlyWeight: 'agreement.weight.earlySupporters',
  earlyFirst: 'agreement.weight.earlyFirst',
  pollVoters: 'agreement.weight.pollVoters',
  trialReviewers: 'agreement.weight.trialReviewers',
};

const major = (minor: number, currency: string) => String(minor / 10 ** minorDigits(currency));
const pct = (bps: number) => String(bps / 100);

function draftOf(terms: AgreementTerms | undefined, roles: string[]): Draft {
  if (!terms) {
    const share = roles.length ? Math.floor(10_000 / roles.length) : 10_000;
    return {
      currency: 'CNY',
      price: '',
      makerCost: '',
      platformFee: '5',
      referral: '0',
      poolMode: 'rest',
      poolShare: '',
      shares: (roles.length ? roles : ['lead']).map((role, i) => ({
        key: i,
        role,
        percent: pct(i === 0 ? 10_000 - share * (roles.length - 1) : share),
      })),
      needAuthor: '1',
      chosenSolutionAuthors: '1',
      earlyFirst: '100',
      earlyWeight: '1',
      pollVoters: '1',
      trialReviewers: '0',
    };
  }
  const c = terms.referenceUnitPrice.currency;
  const w = terms.contributionWeights;
  return {
    currency: c,
    price: major(terms.referenceUnitPrice.amount, c),
    makerCost: terms.makerUnitCost ? major(terms.makerUnitCost.amount, c) : '',
    platformFee: pct(terms.platformFeeBps),
    referral: pct(terms.referralCommissionBps),
    poolMode: terms.pool.mode,
    poolShare: terms.pool.mode === 'share' ? pct(terms.pool.bps) : '',
    shares: Object.entries(terms.roleShares).map(([role, bps], i) => ({ key: i, role, percent: pct(bps) })),
    needAuthor: String(w.needAuthor),
    chosenSolutionAuthors: String(w.chosenSolutionAuthors),
    earlyFirst: String(w.earlySupporters.first),
    earlyWeight: String(w.earlySupporters.weight),
    pollVoters: String(w.pollVoters),
    trialReviewers: String(w.trialReviewers),
  };
}

/** Server messages about the terms, in the UI's language where the validator's wording is known. */
function termsMessage(t: TFunction, message: string): string {
  const sum = /add up to (\d+) basis points; they must add up to exactly 10000/.exec(message);
  if (sum) return t('agreement.errors.sharesSum', { sum: Number(sum[1]) / 100 });
  if (/no participant has this role/.test(message)) return t('agreement.errors.noSuchRole');
  if (/more than 10000/.test(message)) return t('agreement.errors.feesTooHigh');
  if (/more than the reference unit price/.test(message)) return t('agreement.errors.costTooHigh');
  if (/currency/.test(message)) return t('agreement.errors.currency');
  if (/at least one weight/.test(message)) return t('agreement.errors.weights');
  if (/at least one role/.test(message)) return t('agreement.errors.noRoles');
  return message;
}

/** Checks the draft and builds the terms; field problems by the server's paths (rows by `share.<key>`). */
function build(t: TFunction, d: Draft): { terms?: AgreementTerms; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const currency = d.currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) problems['referenceUnitPrice.currency'] = t('agreement.errors.currencyCode');
  const digits = /^[A-Z]{3}$/.test(currency) ? minorDigits(currency) : 2;
  const money = (text: string, path: string, positive: boolean): number | undefined => {
    const v = text.trim();
    const ok = new RegExp(`^\\d{1,12}(\\.\\d{1,${Math.max(digits, 1)}})?$`).test(v);
    const amount = ok ? Math.round(Number(v) * 10 ** digits) : Number.NaN;
    if (!v) problems[path] = t('fieldErrors.required');
    else if (!ok || (positive && amount <= 0)) problems[path] = t('agreement.errors.amount');
    return ok ? amount : undefined;
  };
  const bps = (text: string, path: string): number => {
    const v = text.trim();
    const ok = /^\d{1,3}(\.\d{1,2})?$/.test(v) && Number(v) <= 100;
    if (!v) problems[path] = t('fieldErrors.required');
    else if (!ok) problems[path] = t('agreement.errors.percent');
    return ok ? Math.round(Number(v) * 100) : 0;
  };
  const int = (text: string, path: string): number => {
    const v = text.trim();
    const ok = /^\d{1,7}$/.test(v);
    if (!ok) problems[path] = v ? t('agreement.errors.integer') : t('fieldErrors.required');
    return ok ? Number(v) : 0;
  };

  const price = money(d.price, 'referenceUnitPrice.amount', true);
  const cost = d.makerCost.trim() ? money(d.makerCost, 'makerUnitCost', false) : null;
  const platformFeeBps = bps(d.platformFee, 'platformFeeBps');
  const referralCommissionBps = bps(d.referral, 'referralCommissionBps');
  const pool: AgreementTerms['pool'] =
    d.poolMode === 'share' ? { mode: 'share', bps: bps(d.poolShare, 'pool.bps') } : { mode: 'rest' };
  const roleShares: Record<string, number> = {};
  let sum = 0;
  for (const row of d.shares) {
    const role = row.role.trim();
    if (!role) problems[`share.${row.key}.role`] = t('fieldErrors.required');
    else if (role in roleShares) problems[`share.${row.key}.role`] = t('agreement.errors.duplicateRole');
    const share = bps(row.percent, `share.${row.key}.percent`);
    if (role) roleShares[role] = share;
    sum += share;
  }
  if (d.shares.length === 0) problems.roleShares = t('agreement.errors.noRoles');
  else if (sum !== 10_000) problems.roleShares = t('agreement.errors.sharesSum', { sum: sum / 100 });
  const weights = Object.fromEntries([...WEIGHTS, 'earlyFirst' as const].map((k) => [k, int(d[k], WEIGHT_PATH[k])]));
  if (WEIGHTS.every((k) => weights[k] === 0)) problems.contributionWeights = t('agreement.errors.weights');
  if (Object.keys(problems).length || price === undefined || cost === undefined) return { problems };
  return {
    problems,
    terms: {
      referenceUnitPrice: { amount: price, currency },
      makerUnitCost: cost === null ? null : { amount: cost, currency },
      platformFeeBps,
      referralCommissionBps,
      pool,
      roleShares,
      contributionWeights: {
        needAuthor: weights.needAuthor!,
        chosenSolutionAuthors: weights.chosenSolutionAuthors!,
        earlySupporters: { first: weights.earlyFirst!, weight: weights.earlyWeight! },
        pollVoters: weights.pollVoters!,
        trialReviewers: weights.trialReviewers!,
      },
    },
  };
}

/** A lead or operator proposes the next version of the agreement; every party then accepts it again. */
export function AgreementForm({
  chainGroupId,
  current,
  roles,
  onDone,
}: {
  chainGroupId: string;
  current?: AgreementTerms;
  roles: string[];
  onDone: (a: Agreement) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [d, setD] = useState<Draft>(() => draftOf(current, roles));
  const [nextKey, setNextKey] = useState(100);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit();
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((old) => ({ ...old, [k]: v }));

  /** The client's problem for a path, or the server's (translated). */
  const err = (path: string, exact = false): string | undefined => {
    if (problems[path]) return problems[path];
    const server = exact ? submit.fields[path] : submit.fieldError(path);
    return server ? termsMessage(t, server) : undefined;
  };
  const rowErr = (row: ShareRow, part: 'role' | 'percent') =>
    problems[`share.${row.key}.${part}`] ??
    (submit.fields[`roleShares.${row.role.trim()}`]
      ? termsMessage(t, submit.fields[`roleShares.${row.role.trim()}`]!)
      : undefined);

  async function propose(e: FormEvent) {
    e.preventDefault();
    const { terms, problems: found } = build(t, d);
    setProblems(found);
    if (!terms) {
      submit.setError(t('errors.validation'));
      return;
    }
    const next = await submit.run(() => api.chainGroups.propose(chainGroupId, terms));
    if (next) onDone(next);
  }

  const total = d.shares.reduce((s, r) => s + (Number(r.percent) || 0), 0);
  return (
    <form className="form agreement-form" onSubmit={propose} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('agreement.proposeTitle')}</h3>
      <p className="hint">{t('agreement.proposeHint')}</p>
      <fieldset>
        <legend>{t('agreement.perUnitLegend')}</legend>
        <div className="inline-fields">
          <TextField
            label={t('agreement.currency')}
            value={d.currency}
            maxLength={3}
            autoCapitalize="characters"
            onChange={(e) => set('currency', e.target.value)}
            error={err('referenceUnitPrice.currency')}
          />
          <TextField
            label={t('agreement.price')}
            inputMode="decimal"
            value={d.price}
            onChange={(e) => set('price', e.target.value)}
            error={err('referenceUnitPrice.amount') ?? err('referenceUnitPrice', true)}
          />
        </div>
        <TextField
          label={t('agreement.makerCost')}
          hint={t('agreement.makerCostHint')}
          inputMode="decimal"
          value={d.makerCost}
          onChange={(e) => set('makerCost', e.target.value)}
          error={err('makerUnitCost')}
        />
        <div className="inline-fields">
          <TextField
            label={t('agreement.platformFeePercent')}
            inputMode="decimal"
            value={d.platformFee}
            onChange={(e) => set('platformFee', e.target.value)}
            error={err('platformFeeBps')}
          />
          <TextField
            label={t('agreement.referralPercent')}
            inputMode="decimal"
            value={d.referral}
            onChange={(e) => set('referral', e.target.value)}
            error={err('referralCommissionBps')}
          />
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('agreement.pool')}</legend>
        <div className="choice-row">
          <label className="choice">
            <input type="radio" name={`${id}-pool`} checked={d.poolMode === 'rest'} onChange={() => set('poolMode', 'rest')} />
            {t('agreement.poolRest')}
          </label>
          <label className="choice">
            <input type="radio" name={`${id}-pool`} checked={d.poolMode === 'share'} onChange={() => set('poolMode', 'share')} />
            {t('agreement.poolShareOption')}
          </label>
        </div>
        {d.poolMode === 'share' && (
          <TextField
            label={t('agreement.poolSharePercent')}
            inputMode="decimal"
            value={d.poolShare}
            onChange={(e) => set('poolShare', e.target.value)}
            error={err('pool.bps') ?? err('pool', true)}
          />
        )}
      </fieldset>
      <fieldset className={err('roleShares', true) ? 'fieldset-invalid' : undefined}>
        <legend>{t('agreement.roleShares')}</legend>
        <datalist id={`${id}-roles`}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleLabel(t, r)}
            </option>
          ))}
        </datalist>
        <ol className="share-rows">
          {d.shares.map((row, i) => (
            <li key={row.key} className="share-row">
              <TextField
                label={t('agreement.roleN', { index: i + 1 })}
                list={`${id}-roles`}
                value={row.role}
                onChange={(e) =>
                  set(
                    'shares',
                    d.shares.map((r) => (r.key === row.key ? { ...r, role: e.target.value } : r)),
                  )
                }
                error={rowErr(row, 'role')}
              />
              <TextField
                label={t('agreement.sharePercentN', { index: i + 1 })}
                inputMode="decimal"
                value={row.percent}
                onChange={(e) =>
                  set(
                    'shares',
                    d.shares.map((r) => (r.key === row.key ? { ...r, percent: e.target.value } : r)),
                  )
                }
                error={problems[`share.${row.key}.percent`]}
              />
              <button
                type="button"
                className="btn btn-small btn-ghost"
                onClick={() =>
                  set(
                    'shares',
                    d.shares.filter((r) => r.key !== row.key),
                  )
                }
                aria-label={t('agreement.removeRoleN', { index: i + 1 })}
              >
                {t('agreement.removeRole')}
              </button>
            </li>
          ))}
        </ol>
        <p className="meta" aria-live="polite">
          {t('agreement.sharesTotal', { total: Math.round(total * 100) / 100 })}
        </p>
        {err('roleShares', true) && (
          <p className="field-error" role="alert">
            {err('roleShares', true)}
          </p>
        )}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            set('shares', [...d.shares, { key: nextKey, role: '', percent: '0' }]);
            setNextKey((k) => k + 1);
          }}
        >
          {t('agreement.addRole')}
        </button>
      </fieldset>
      <fieldset>
        <legend>{t('agreement.weights')}</legend>
        <p className="hint">{t('agreement.weightsHint')}</p>
        <div className="weights-grid">
          {(['needAuthor', 'chosenSolutionAuthors', 'earlyFirst', 'earlyWeight', 'pollVoters', 'trialReviewers'] as const).map(
            (k) => (
              <TextField
                key={k}
                label={t(WEIGHT_LABEL[k])}
                inputMode="numeric"
                value={d[k]}
                onChange={(e) => set(k, e.target.value)}
                error={err(WEIGHT_PATH[k])}
              />
            ),
          )}
        </div>
        {err('contributionWeights', true) && (
          <p className="field-error" role="alert">
            {err('contributionWeights', true)}
          </p>
        )}
      </fieldset>
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {submit.busy ? t('common.sending') : t('agreement.proposeSubmit')}
        </button>
      </p>
    </form>
  );
}
