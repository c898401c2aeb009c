import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api';
import type { Need, NeedStage } from '../../api/types';
import { usePaged } from '../../app/useApi';
import { PagedList } from '../../components/PagedList';
import { StageBadge } from '../../components/StageBadge';
import { useFormat } from '../../i18n/format';
import { ReviewActions } from './ReviewActions';

const QUEUES: NeedStage[] = ['qualified', 'in_review', 'open'];

/** Needs waiting for a decision: qualified ones first; accept, decline with a reason, or merge. */
export function ReviewQueue() {
  const { t } = useTranslation();
  const [stage, setStage] = useState<NeedStage>('qualified');
  const list = usePaged((cursor) => api.needs.list({ stage, sort: 'top', cursor }), [stage]);
  return (
    <section aria-labelledby="queue-heading">
      <div className="section-head">
        <h2 id="queue-heading">{t('operator.queue')}</h2>
        <fieldset className="segmented">
          <legend className="sr-only">{t('operator.stageFilter')}</legend>
          {QUEUES.map((s) => (
            <button key={s} type="button" aria-pressed={stage === s} onClick={() => setStage(s)}>
              {t(`stage.${s}`)}
            </button>
          ))}
        </fieldset>
      </div>
      <PagedList
        list={list}
        empty={t('operator.queueEmpty')}
        render={(n) => (
          <QueueItem key={n.id} need={n} onDone={() => list.update((items) => items.filter((i) => i.id !== n.id))} />
        )}
      />
    </section>
  );
}

function QueueItem({ need, onDone }: { need: Need; onDone: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <li className="card queue-item">
      <div className="card-head">
        <StageBadge stage={need.stage} />
        <Link to={`/needs/${need.id}`} className="card-title">
          {need.title}
        </Link>
      </div>
      <p className="meta">
        {t('need.supports', { count: need.supportCount, n: f.number(need.supportCount) })} ·{' '}
        {t('intent.summary', {
          count: need.intent.supporters,
          n: f.number(need.intent.supporters),
          units: f.number(need.intent.quantity),
        })}{' '}
        · <Link to={`/operator/needs/${need.id}`}>{t('need.manage')}</Link>
      </p>
      <ReviewActions need={need} onDone={onDone} />
    </li>
  );
}
