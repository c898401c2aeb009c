import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import type { Loadable } from '../app/useApi';

/** A failed request in words a person understands. */
export function errorMessage(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetwork) return t('errors.network');
    switch (error.status) {
      case 401:
        return t('errors.unauthorized');
      case 403:
        return t('errors.forbidden');
      case 404:
        return t('errors.notFound');
      case 409:
        return t('errors.conflict', { detail: error.detail });
      case 422:
        return Object.keys(error.fields).length ? t('errors.validation') : t('errors.rejected', { detail: error.detail });
      case 429:
        return t('errors.rateLimited');
      default:
        if (error.status >= 500) return t('errors.server');
        return t('errors.rejected', { detail: error.detail });
    }
  }
  return t('errors.unexpected');
}

/** A loading state that says so, instead of a blank screen. */
export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </div>
  );
}

/** A failed request: what happened and a way to try again. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="notice notice-error" role="alert">
      <p>{errorMessage(t, error)}</p>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/** Renders the data once loaded; loading and error states in between. */
export function Async<T>({
  state,
  reload,
  children,
}: {
  state: Loadable<T>;
  reload: () => void;
  children: (data: T) => ReactNode;
}) {
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={reload} />;
  return <>{children(state.data)}</>;
}
