import { useTranslation } from 'react-i18next';
import type { Need } from '../api/types';
import { useFormat } from '../i18n/format';

/**
 * The support ladder of a need: how far the live count is towards the milestone being climbed,
 * and by when. Once the need has left `open` there is no milestone; the bar shows it is complete.
 */
export function MilestoneBar({ need, supportCount, compact }: { need: Need; supportCount: number; compact?: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const m = need.milestone;
  const goal = m?.goal ?? supportCount;
  const ratio = m ? Math.min(1, supportCount / Math.max(1, m.goal)) : 1;
  const label = m
    ? t('milestone.progress', { count: supportCount, n: f.number(supportCount), goal: f.number(goal) })
    : t('milestone.done', { count: supportCount, n: f.number(supportCount) });
  return (
    <div className={`milestone ${compact ? 'milestone-compact' : ''}`}>
      <div
        className="bar"
        role="progressbar"
        aria-label={t('milestone.label')}
        aria-valuemin={0}
        aria-valuemax={goal}
        aria-valuenow={Math.min(supportCount, goal)}
        aria-valuetext={label}
      >
        <div className="bar-fill" style={{ width: `${ratio * 100}%` }} />
      </div>
      <div className="milestone-text">
        <span>{label}</span>
        {m && !compact && (
          <span>
            {t('milestone.step', { index: m.index + 1, of: m.of })}
            {' · '}
            <time dateTime={m.deadline} title={f.dateTime(m.deadline)}>
              {t('milestone.deadline', { date: f.date(m.deadline), relative: f.relative(m.deadline) })}
            </time>
          </span>
        )}
      </div>
    </div>
  );
}
