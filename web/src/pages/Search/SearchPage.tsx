import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../../api';
import { usePaged } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { NeedCard, SceneCard } from '../../components/Cards';
import { PagedList } from '../../components/PagedList';
import { SearchBox } from '../../components/SearchBox';

/** Search results: needs and scenes matching the query (Chinese works without spaces). */
export function SearchPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  usePageTitle(t('search.title', { q }));
  const needs = usePaged((cursor) => (q ? api.needs.list({ q, cursor }) : Promise.resolve({ items: [], nextCursor: null })), [q]);
  const scenes = usePaged(
    (cursor) => (q ? api.scenes.list({ q, cursor }) : Promise.resolve({ items: [], nextCursor: null })),
    [q],
  );
  return (
    <>
      <h1>{q ? t('search.title', { q }) : t('search.label')}</h1>
      <SearchBox key={q} initial={q} />
      <div className="columns">
        <section aria-labelledby="needs-results" className="col-main">
          <h2 id="needs-results">{t('search.needs')}</h2>
          <PagedList list={needs} empty={t('search.noNeeds')} render={(n) => <NeedCard key={n.id} need={n} />} />
        </section>
        <section aria-labelledby="scenes-results" className="col-side">
          <h2 id="scenes-results">{t('search.scenes')}</h2>
          <PagedList list={scenes} empty={t('search.noScenes')} render={(s) => <SceneCard key={s.id} scene={s} />} />
        </section>
      </div>
    </>
  );
}
