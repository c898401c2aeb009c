import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Need } from '../../api/types';
import { Comments } from '../../components/Comments';
import { NeedPicker } from './NeedPicker';

/** Moderation: find a need, read its discussion, hide or show comments. */
export function Moderation() {
  const { t } = useTranslation();
  const [need, setNeed] = useState<Need>();
  return (
    <section aria-labelledby="moderation-heading">
      <h2 id="moderation-heading">{t('operator.moderation')}</h2>
      <p className="hint">{t('operator.moderationHint')}</p>
      <NeedPicker label={t('operator.moderationSearch')} pickLabel={t('operator.moderate')} onPick={setNeed} />
      {need && (
        <div className="moderation-thread">
          <h3>
            <Link to={`/needs/${need.id}`}>{need.title}</Link>
          </h3>
          <Comments key={need.id} target={{ needId: need.id }} count={need.commentCount} />
        </div>
      )}
    </section>
  );
}
