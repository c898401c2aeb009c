import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { PagedList as List } from '../app/useApi';
import { ErrorNotice, Loading } from './Async';

/** A cursor-paged list with loading, error-with-retry, empty and "load more" states. */
export function PagedList<T>({
  list,
  render,
  empty,
  className,
}: {
  list: List<T>;
  render: (item: T) => ReactNode;
  empty: ReactNode;
  className?: string;
}) {
  const { t } = useTranslation();
  if (list.status === 'loading') return <Loading />;
  if (list.status === 'error') return <ErrorNotice error={list.error} onRetry={list.reload} />;
  if (list.items.length === 0) return <p className="empty">{empty}</p>;
  return (
    <>
      <ul className={`list ${className ?? ''}`}>{list.items.map(render)}</ul>
      {list.error && <ErrorNotice error={list.error} onRetry={list.loadMore} />}
      {list.hasMore && (
        <button type="button" className="btn btn-more" onClick={list.loadMore} disabled={list.loadingMore}>
          {list.loadingMore ? t('common.loading') : t('common.loadMore')}
        </button>
      )}
    </>
  );
}
