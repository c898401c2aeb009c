import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import type { Community, NeedListQuery } from '../../api/types';
import { useAuth } from '../../app/auth';
import { useApi, usePaged } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async, ErrorNotice } from '../../components/Async';
import { NeedCard, SceneCard } from '../../components/Cards';
import { PagedList } from '../../components/PagedList';
import { useFormat } from '../../i18n/format';

type Sort = NonNullable<NeedListQuery['sort']>;

/** A community: what it is about, its milestones, its scenes and needs; join or leave. */
export function CommunityPage() {
  const { slug = '' } = useParams();
  const community = useApi(() => api.communities.get(slug), [slug]);
  return (
    <Async state={community.state} reload={community.reload}>
      {(c) => <CommunityView community={c} onChange={(next) => community.set(() => next)} />}
    </Async>
  );
}

function CommunityView({ community, onChange }: { community: Community; onChange: (c: Community) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { me } = useAuth();
  usePageTitle(community.name);
  const [sort, setSort] = useState<Sort>('hot');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const needs = usePaged((cursor) => api.needs.list({ communityId: community.id, sort, cursor }), [community.id, sort]);
  const scenes = usePaged((cursor) => api.scenes.list({ communityId: community.id, cursor, limit: 10 }), [community.id]);

  async function toggleMembership() {
    setBusy(true);
    setError(undefined);
    try {
      const reply = community.joined ? await api.communities.leave(community.id) : await api.communities.join(community.id);
      onChange({ ...community, joined: reply.joined, memberCount: reply.memberCount });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <header className="page-head">
        <p className="eyebrow">{t('community.eyebrow')}</p>
        <h1>{community.name}</h1>
        {community.description && <p className="lede">{community.description}</p>}
        <p className="meta">{t('community.members', { count: community.memberCount, n: f.number(community.memberCount) })}</p>
        <div className="actions">
          {me && (
            <button type="button" className="btn" aria-pressed={!!community.joined} onClick={toggleMembership} disabled={busy}>
              {community.joined ? t('community.leave') : t('community.join')}
            </button>
          )}
          <Link className="btn btn-primary" to={`/scenes/new?communityId=${community.id}`}>
            {t('home.describeScene')}
          </Link>
        </div>
        {error !== undefined && <ErrorNotice error={error} onRetry={toggleMembership} />}
        <details className="ladder">
          <summary>{t('community.milestones')}</summary>
          <ol>
            {community.milestones.map((m, i) => (
              <li key={`${m.goal}-${m.days}`}>
                {t(i === 0 ? 'community.milestoneFirst' : 'community.milestoneNext', {
                  goal: f.number(m.goal),
                  days: f.number(m.days),
                })}
              </li>
            ))}
          </ol>
        </details>
      </header>
      <div className="columns">
        <section aria-labelledby="needs-heading" className="col-main">
          <div className="section-head">
            <h2 id="needs-heading">{t('community.needs')}</h2>
            <fieldset className="segmented">
              <legend className="sr-only">{t('common.sortBy')}</legend>
              {(['hot', 'top', 'new'] as const).map((s) => (
                <button key={s} type="button" aria-pressed={sort === s} onClick={() => setSort(s)}>
                  {t(`sort.${s}`)}
                </button>
              ))}
            </fieldset>
          </div>
          <PagedList list={needs} empty={t('community.noNeeds')} render={(n) => <NeedCard key={n.id} need={n} />} />
        </section>
        <section aria-labelledby="scenes-heading" className="col-side">
          <h2 id="scenes-heading">{t('community.scenes')}</h2>
          <PagedList list={scenes} empty={t('community.noScenes')} render={(s) => <SceneCard key={s.id} scene={s} />} />
        </section>
      </div>
    </>
  );
}
