import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Community, Need, Scene } from '../api/types';
import { useFormat } from '../i18n/format';
import { MilestoneBar } from './MilestoneBar';
import { StageBadge } from './StageBadge';

/** A need in a list: title, stage, supports and its progress. */
export function NeedCard({ need }: { need: Need }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <li className="card need-card">
      <div className="card-head">
        <StageBadge stage={need.stage} />
        <Link to={`/needs/${need.id}`} className="card-title">
          {need.title}
        </Link>
      </div>
      {need.stage === 'open' && <MilestoneBar need={need} supportCount={need.supportCount} compact />}
      <p className="meta">
        {t('need.supports', { count: need.supportCount, n: f.number(need.supportCount) })}
        {' · '}
        {t('need.solutions', { count: need.solutionCount, n: f.number(need.solutionCount) })}
        {' · '}
        {t('need.comments', { count: need.commentCount, n: f.number(need.commentCount) })}
        {' · '}
        {need.author.displayName}
      </p>
    </li>
  );
}

/** A scene in a list: who, and what gets in their way. */
export function SceneCard({ scene }: { scene: Scene }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <li className="card scene-card">
      <Link to={`/scenes/${scene.id}`} className="card-title">
        {scene.title}
      </Link>
      <p className="scene-persona">
        <span className="label-inline">{t('scene.persona')}</span> {scene.persona}
      </p>
      <p className="meta">
        {t('scene.needCount', { count: scene.needCount, n: f.number(scene.needCount) })} · {scene.author.displayName} ·{' '}
        <time dateTime={scene.createdAt}>{f.date(scene.createdAt)}</time>
      </p>
    </li>
  );
}

/** A community in a list. */
export function CommunityCard({ community }: { community: Community }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <li className="card community-card">
      <Link to={`/c/${community.slug}`} className="card-title">
        {community.name}
      </Link>
      {community.description && <p className="clamp">{community.description}</p>}
      <p className="meta">
        {t('community.members', { count: community.memberCount, n: f.number(community.memberCount) })}
        {community.joined && <span className="badge badge-soft">{t('community.joinedBadge')}</span>}
      </p>
    </li>
  );
}
