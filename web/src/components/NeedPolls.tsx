import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { useApi } from '../app/useApi';
import { useFormat } from '../i18n/format';
import { Async } from './Async';
import { PollStateBadge } from './PollStateBadge';

/** The polls (征集) on a need, newest first; nothing when there are none. */
export function NeedPolls({ needId }: { needId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const polls = useApi(() => api.polls.list({ needId, limit: 20 }), [needId]);
  if (polls.state.status === 'ok' && polls.state.data.items.length === 0) return null;
  return (
    <section className="card side-card" aria-labelledby="need-polls">
      <h2 id="need-polls">{t('poll.onNeed')}</h2>
      <Async state={polls.state} reload={polls.reload}>
        {(page) => (
          <ul className="plain-list">
            {page.items.map((p) => (
              <li key={p.id}>
                <Link to={`/polls/${p.id}`}>{p.question}</Link> <PollStateBadge state={p.state} />
                <p className="meta">
                  {p.state === 'upcoming'
                    ? t('poll.opensOn', { date: f.date(p.opensAt) })
                    : p.state === 'open'
                      ? t('poll.closesOn', { date: f.date(p.closesAt) })
                      : t('poll.closedOn', { date: f.date(p.closesAt) })}
                  {p.myBallot && <> · {t('poll.youVoted')}</>}
                </p>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </section>
  );
}
