import type { TFunction } from 'i18next';
import {
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { errorMessage } from './Async';

/** Server field messages in the UI's language where they follow a known pattern; as sent otherwise. */
export function fieldMessage(t: TFunction, message: string): string {
  if (/too small.*>=?\s*1 char|required|received undefined|at least 1/i.test(message)) return t('fieldErrors.required');
  const tooShort = /too small.*>=?\s*(\d+)/i.exec(message);
  if (tooShort) return t('fieldErrors.tooSmall', { min: tooShort[1] });
  const tooBig = /too big.*<=?\s*(\d+)/i.exec(message);
  if (tooBig) return t('fieldErrors.tooBig', { max: tooBig[1] });
  if (/email/i.test(message)) return t('fieldErrors.email');
  if (/expected number/i.test(message)) return t('fieldErrors.number');
  if (/not a known field/i.test(message)) return t('fieldErrors.unknown');
  return message;
}

/**
 * The state of a form's submission: busy, field problems from the server, and a general error.
 * `byStatus` names the message for a status where the form knows better (401 on sign-in);
 * `describe` words an error itself where it can (a sold-out campaign), `undefined` otherwise.
 */
export function useSubmit(byStatus: Partial<Record<number, string>> = {}, describe?: (error: unknown) => string | undefined) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();

  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(undefined);
    setFields({});
    try {
      return await action();
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) {
        setFields(Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, fieldMessage(t, v)])));
      }
      const known = err instanceof ApiError ? byStatus[err.status] : undefined;
      setError(describe?.(err) ?? (known ? t(known) : errorMessage(t, err)));
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  /** The message for a field path, or for any path below it (`milestones` covers `milestones.0.goal`). */
  const fieldError = (path: string): string | undefined =>
    fields[path] ?? Object.entries(fields).find(([k]) => k.startsWith(`${path}.`))?.[1];
  return { busy, error, fields, fieldError, run, setError };
}

interface FieldShell {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  className?: string;
}

function Shell({ id, label, hint, error, className, children }: FieldShell & { id: string; children: ReactNode }) {
  return (
    <div className={`field ${error ? 'field-invalid' : ''} ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function describedBy(id: string, hint: unknown, error: unknown) {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

/** A labelled input with its hint and its server error. */
export function TextField({ label, hint, error, className, ...input }: FieldShell & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <Shell id={id} label={label} hint={hint} error={error} className={className}>
      <input id={id} aria-invalid={!!error} aria-describedby={describedBy(id, hint, error)} {...input} />
    </Shell>
  );
}

/** A labelled textarea with its hint and its server error. */
export function TextArea({ label, hint, error, className, ...input }: FieldShell & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <Shell id={id} label={label} hint={hint} error={error} className={className}>
      <textarea id={id} rows={4} aria-invalid={!!error} aria-describedby={describedBy(id, hint, error)} {...input} />
    </Shell>
  );
}

/** A labelled select with its hint and its server error. */
export function SelectField({
  label,
  hint,
  error,
  className,
  children,
  ...select
}: FieldShell & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <Shell id={id} label={label} hint={hint} error={error} className={className}>
      <select id={id} aria-invalid={!!error} aria-describedby={describedBy(id, hint, error)} {...select}>
        {children}
      </select>
    </Shell>
  );
}

/** The general error of a form, read out when it appears. */
export function FormAlert({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert">
      {error}
    </div>
  );
}

export interface TitleBodyLabels {
  title: string;
  titleHint?: string;
  body: string;
  bodyHint?: string;
  submit: string;
}

/**
 * The title-and-body form of needs, solutions and solution versions: both fields with their server
 * errors, the general error and the submit button. `save` sends it; `onSaved` gets what came back.
 */
export function TitleBodyForm<T>({
  labels,
  initial = { title: '', body: '' },
  bodyRows,
  save,
  onSaved,
  heading,
  actions,
}: {
  labels: TitleBodyLabels;
  initial?: { title: string; body: string };
  bodyRows: number;
  save: (value: { title: string; body: string }) => Promise<T>;
  onSaved: (result: T) => void;
  heading?: ReactNode;
  actions?: ReactNode;
}) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(initial.title);
  const [body, setBody] = useState(initial.body);
  const submit = useSubmit();
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const result = await submit.run(() => save({ title, body }));
    if (result !== undefined) onSaved(result);
  }
  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      {heading}
      <TextField
        label={labels.title}
        hint={labels.titleHint}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        maxLength={120}
        error={submit.fieldError('title')}
        required
      />
      <TextArea
        label={labels.body}
        hint={labels.bodyHint}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        rows={bodyRows}
        error={submit.fieldError('body')}
        required
      />
      <FormAlert error={submit.error} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {submit.busy ? t('common.saving') : labels.submit}
        </button>
        {actions}
      </div>
    </form>
  );
}
