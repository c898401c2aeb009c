import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import type { Need } from '../../api/types';
import { ErrorNotice, Loading } from '../../components/Async';
import { StageBadge } from '../../components/StageBadge';
import { useFormat } from '../../i18n/format';

/** Search needs by words and pick one (the target of a merge, the need to moderate). */
export function NeedPicker({
  label,
  exclude,
  onPick,
  pickLabel,
}: {
  label: string;
  exclude?: string;
  onPick: (need: Need) => void;
  pickLabel: string;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const [q, setQ] = useState('');
  const [state, setState] = useState<{ status: 'idle' | 'loading' | 'ok' | 'error'; items?: Need[]; error?: unknown }>({
    status: 'idle',
  });

  async function search(e?: FormEvent) {
    e?.preventDefault();
    const query = q.trim();
    if (!query) return;
    setState({ status: 'loading' });
    try {
      const page = await api.needs.list({ q: query, sort: 'top', limit: 20 });
      setState({ status: 'ok', items: page.items.filter((n) => n.id !== exclude) });
    } catch (error) {
      setState({ status: 'error', error });
    }
  }

  return (
    <div className="picker">
      <search>
        <form className="search" onSubmit={search}>
          <label htmlFor={id}>{label}</label>
          <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('operator.searchNeeds')} />
          <button type="submit" className="btn">
            {t('search.submit')}
          </button>
        </form>
      </search>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorNotice error={state.error} onRetry={() => void search()} />}
      {state.status === 'ok' &&
        (state.items?.length ? (
          <ul className="list picker-results">
            {state.items.map((n) => (
              <li key={n.id} className="card picker-row">
                <div>
                  <StageBadge stage={n.stage} /> <strong>{n.title}</strong>
                  <p className="meta">{t('need.supports', { count: n.supportCount, n: f.number(n.supportCount) })}</p>
                </div>
                <button type="button" className="btn btn-small" onClick={() => onPick(n)}>
                  {pickLabel}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="empty">{t('search.noNeeds')}</p>
        ))}
    </div>
  );
}
