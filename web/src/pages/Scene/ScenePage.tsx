import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import type { Scene } from '../../api/types';
import { useApi, usePaged } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async } from '../../components/Async';
import { NeedCard } from '../../components/Cards';
import { PagedList } from '../../components/PagedList';
import { RichText } from '../../components/RichText';
import { useFormat } from '../../i18n/format';

/** A scene: who, their goal, what gets in the way, the context; and the needs raised in it. */
export function ScenePage() {
  const { id = '' } = useParams();
  const scene = useApi(() => api.scenes.get(id), [id]);
  return (
    <Async state={scene.state} reload={scene.reload}>
      {(s) => <SceneView scene={s} />}
    </Async>
  );
}

function SceneView({ scene }: { scene: Scene }) {
  const { t } = useTranslation();
  const f = useFormat();
  usePageTitle(scene.title);
  const community = useApi(() => api.communities.get(scene.communityId), [scene.communityId]);
  const needs = usePaged((cursor) => api.needs.list({ sceneId: scene.id, sort: 'top', cursor }), [scene.id]);
  return (
    <>
      <header className="page-head">
        <p className="eyebrow">
          {community.state.status === 'ok' ? (
            <Link to={`/c/${community.state.data.slug}`}>{community.state.data.name}</Link>
          ) : (
            t('scene.eyebrow')
          )}
        </p>
        <h1>{scene.title}</h1>
        <p className="meta">
          {t('common.by', { name: scene.author.displayName })} · <time dateTime={scene.createdAt}>{f.date(scene.createdAt)}</time>
        </p>
        {scene.tags.length > 0 && (
          <ul className="tags" aria-label={t('scene.tags')}>
            {scene.tags.map((tag) => (
              <li key={tag} className="tag">
                {tag}
              </li>
            ))}
          </ul>
        )}
      </header>
      <dl className="scene-facts">
        <div>
          <dt>{t('scene.persona')}</dt>
          <dd>{scene.persona}</dd>
        </div>
        <div>
          <dt>{t('scene.goal')}</dt>
          <dd>{scene.goal}</dd>
        </div>
        <div>
          <dt>{t('scene.pain')}</dt>
          <dd>{scene.pain}</dd>
        </div>
        {scene.context && (
          <div>
            <dt>{t('scene.context')}</dt>
            <dd>
              <RichText text={scene.context} />
            </dd>
          </div>
        )}
      </dl>
      <section aria-labelledby="scene-needs">
        <div className="section-head">
          <h2 id="scene-needs">{t('scene.needs')}</h2>
          <Link className="btn btn-primary" to={`/needs/new?sceneId=${scene.id}`}>
            {t('scene.raiseNeed')}
          </Link>
        </div>
        <PagedList list={needs} empty={t('scene.noNeeds')} render={(n) => <NeedCard key={n.id} need={n} />} />
      </section>
    </>
  );
}
