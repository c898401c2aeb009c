import type { TFunction } from 'i18next';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../../api';
import type { CreatePollBody } from '../../api/types';
import { FormAlert, SelectField, TextArea, TextField, useSubmit } from '../../components/Form';

interface OptionRow {
  key: number;
  text: string;
  imageUrl: string;
}

/** A `datetime-local` value (local time, to the minute) for a moment. */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** The server's wording for poll problems, in the UI's language where known. */
function pollMessage(t: TFunction, message: string | undefined): string | undefined {
  if (!message) return undefined;
  if (/must be after opensAt/.test(message)) return t('pollForm.errors.closesAfterOpens');
  if (/in the past/.test(message)) return t('pollForm.errors.closesPast');
  if (/repeats another option/.test(message)) return t('pollForm.errors.repeated');
  if (/more than the number of options/.test(message)) return t('pollForm.errors.maxTooBig');
  if (/URL|url|https/.test(message)) return t('pollForm.errors.https');
  return message;
}

/** An operator opens a poll (征集) on a need: question, options, single or multiple, times, visibility. */
export function CreatePoll({ needId }: { needId: string }) {
  const { t } = useTranslation();
  const id = useId();
  const navigate = useNavigate();
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState<OptionRow[]>([
    { key: 0, text: '', imageUrl: '' },
    { key: 1, text: '', imageUrl: '' },
  ]);
  const [nextKey, setNextKey] = useState(2);
  const [mode, setMode] = useState<'single' | 'multiple'>('single');
  const [maxChoices, setMaxChoices] = useState('2');
  const [opensAt, setOpensAt] = useState(() => localInput(new Date()));
  const [closesAt, setClosesAt] = useState(() => localInput(new Date(Date.now() + 7 * 86_400_000)));
  const [visibility, setVisibility] = useState<'live' | 'after_close'>('live');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit();
  const err = (path: string) => problems[path] ?? pollMessage(t, submit.fields[path]);
  const setOption = (key: number, patch: Partial<OptionRow>) =>
    setOptions((old) => old.map((o) => (o.key === key ? { ...o, ...patch } : o)));

  async function create(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!question.trim()) found.question = t('fieldErrors.required');
    options.forEach((o, i) => {
      if (!o.text.trim()) found[`options.${i}.text`] = t('fieldErrors.required');
      if (o.imageUrl.trim() && !/^https:\/\/\S+$/.test(o.imageUrl.trim()))
        found[`options.${i}.imageUrl`] = t('pollForm.errors.https');
    });
    if (options.length < 2) found.options = t('pollForm.errors.twoOptions');
    const max = Number(maxChoices);
    if (mode === 'multiple' && (!Number.isInteger(max) || max < 1 || max > options.length)) {
      found.maxChoices = t('pollForm.errors.maxRange', { max: options.length });
    }
    const opens = new Date(opensAt);
    const closes = new Date(closesAt);
    if (Number.isNaN(opens.getTime())) found.opensAt = t('fieldErrors.required');
    if (Number.isNaN(closes.getTime())) found.closesAt = t('fieldErrors.required');
    else if (!found.opensAt && closes <= opens) found.closesAt = t('pollForm.errors.closesAfterOpens');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const body: CreatePollBody = {
      needId,
      question: question.trim(),
      options: options.map((o) => ({ text: o.text.trim(), ...(o.imageUrl.trim() ? { imageUrl: o.imageUrl.trim() } : {}) })),
      mode,
      ...(mode === 'multiple' ? { maxChoices: max } : {}),
      opensAt: opens.toISOString(),
      closesAt: closes.toISOString(),
      resultsVisibility: visibility,
    };
    const poll = await submit.run(() => api.polls.create(body));
    if (poll) navigate(`/polls/${poll.id}`);
  }

  return (
    <form className="form create-poll" onSubmit={create} noValidate>
      <TextArea
        label={t('pollForm.question')}
        rows={2}
        maxLength={500}
        value={question}
        onChange={(e) => setQuestion(e.target.value)}
        error={err('question')}
      />
      <fieldset className={err('options') ? 'fieldset-invalid' : undefined}>
        <legend>{t('pollForm.options')}</legend>
        <ol className="share-rows">
          {options.map((o, i) => (
            <li key={o.key} className="option-row">
              <TextField
                label={t('pollForm.optionN', { index: i + 1 })}
                maxLength={200}
                value={o.text}
                onChange={(e) => setOption(o.key, { text: e.target.value })}
                error={err(`options.${i}.text`)}
              />
              <TextField
                label={t('pollForm.imageN', { index: i + 1 })}
                type="url"
                inputMode="url"
                placeholder={t('pollForm.imagePlaceholder')}
                value={o.imageUrl}
                onChange={(e) => setOption(o.key, { imageUrl: e.target.value })}
                error={err(`options.${i}.imageUrl`)}
              />
              <button
                type="button"
                className="btn btn-small btn-ghost"
                disabled={options.length <= 2}
                onClick={() => setOptions((old) => old.filter((r) => r.key !== o.key))}
                aria-label={t('pollForm.removeOptionN', { index: i + 1 })}
              >
                {t('pollForm.removeOption')}
              </button>
            </li>
          ))}
        </ol>
        {err('options') && (
          <p className="field-error" role="alert">
            {err('options')}
          </p>
        )}
        <button
          type="button"
          className="btn btn-small"
          disabled={options.length >= 20}
          onClick={() => {
            setOptions((old) => [...old, { key: nextKey, text: '', imageUrl: '' }]);
            setNextKey((k) => k + 1);
          }}
        >
          {t('pollForm.addOption')}
        </button>
      </fieldset>
      <fieldset>
        <legend>{t('pollForm.mode')}</legend>
        <div className="choice-row">
          <label className="choice">
            <input type="radio" name={`${id}-mode`} checked={mode === 'single'} onChange={() => setMode('single')} />
            {t('pollForm.single')}
          </label>
          <label className="choice">
            <input type="radio" name={`${id}-mode`} checked={mode === 'multiple'} onChange={() => setMode('multiple')} />
            {t('pollForm.multiple')}
          </label>
        </div>
        {mode === 'multiple' && (
          <TextField
            label={t('pollForm.maxChoices')}
            inputMode="numeric"
            value={maxChoices}
            onChange={(e) => setMaxChoices(e.target.value)}
            error={err('maxChoices')}
          />
        )}
      </fieldset>
      <div className="inline-fields">
        <TextField
          label={t('pollForm.opensAt')}
          type="datetime-local"
          value={opensAt}
          onChange={(e) => setOpensAt(e.target.value)}
          error={err('opensAt')}
        />
        <TextField
          label={t('pollForm.closesAt')}
          type="datetime-local"
          value={closesAt}
          onChange={(e) => setClosesAt(e.target.value)}
          error={err('closesAt')}
        />
      </div>
      <SelectField
        label={t('pollForm.visibility')}
        value={visibility}
        onChange={(e) => setVisibility(e.target.value as 'live' | 'after_close')}
        error={err('resultsVisibility')}
      >
        <option value="live">{t('pollForm.live')}</option>
        <option value="after_close">{t('pollForm.afterClose')}</option>
      </SelectField>
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {submit.busy ? t('common.sending') : t('pollForm.submit')}
        </button>
      </p>
    </form>
  );
}
