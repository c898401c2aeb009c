import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

/** The search form: scenes and needs, Chinese without spaces works. */
export function SearchBox({ initial = '' }: { initial?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [q, setQ] = useState(initial);
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const query = q.trim();
    if (query) navigate(`/search?q=${encodeURIComponent(query)}`);
  };
  return (
    <search>
      <form className="search" onSubmit={submit}>
        <label htmlFor={id} className="sr-only">
          {t('search.label')}
        </label>
        <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('search.placeholder')} />
        <button type="submit" className="btn btn-primary">
          {t('search.submit')}
        </button>
      </form>
    </search>
  );
}
