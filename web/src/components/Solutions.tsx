import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import type { Need, Solution } from '../api/types';
import { useAuth } from '../app/auth';
import { usePaged } from '../app/useApi';
import { useFormat } from '../i18n/format';
import { ErrorNotice } from './Async';
import { PagedList } from './PagedList';

/** Stages in which no solution can be chosen any more (the server says the same). */
const CLOSED = new Set(['merged', 'declined', 'expired']);

/** The solutions of a need, by votes or newest, with vote buttons and (for operators) "choose". */
export function Solutions({ need, onNeedChanged }: { need: Need; onNeedChanged: (need: Need) => void }) {
  const { t } = useTranslation();
  const { me, isOperator } = useAuth();
  const [sort, setSort] = useState<'top' | 'new'>('top');
  const list = usePaged((cursor) => api.solutions.listForNeed(need.id, { sort, cursor }), [need.id, sort, me?.id]);
  const [chooseError, setChooseError] = useState<unknown>();

  async function choose(solution: Solution) {
    setChooseError(undefined);
    try {
      onNeedChanged(await api.needs.chooseSolution(need.id, solution.id));
      list.reload();
    } catch (err) {
      setChooseError(err);
    }
  }

  return (
    <section className="solutions" aria-labelledby="solutions-heading">
      <div className="section-head">
        <h2 id="solutions-heading">
          {t('solutions.heading')}
          <span className="count-chip">{need.solutionCount}</span>
        </h2>
        <fieldset className="segmented">
          <legend className="sr-only">{t('common.sortBy')}</legend>
          {(['top', 'new'] as const).map((s) => (
            <button key={s} type="button" aria-pressed={sort === s} onClick={() => setSort(s)}>
              {t(`solutions.sort.${s}`)}
            </button>
          ))}
        </fieldset>
      </div>
      {need.stage !== 'merged' && (
        <Link className="btn" to={`/needs/${need.id}/solutions/new`}>
          {t('solutions.propose')}
        </Link>
      )}
      {chooseError !== undefined && <ErrorNotice error={chooseError} />}
      <PagedList
        list={list}
        empty={t('solutions.empty')}
        render={(s) => (
          <SolutionItem
            key={s.id}
            solution={s}
            chosen={need.chosenSolutionId === s.id || s.chosen}
            canChoose={isOperator && !CLOSED.has(need.stage) && need.chosenSolutionId !== s.id}
            onChoose={() => choose(s)}
          />
        )}
      />
    </section>
  );
}

function SolutionItem({
  solution,
  chosen,
  canChoose,
  onChoose,
}: {
  solution: Solution;
  chosen: boolean;
  canChoose: boolean;
  onChoose: () => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <li className={`card solution-card ${chosen ? 'is-chosen' : ''}`}>
      <div className="solution-main">
        <div className="card-head">
          {chosen && <span className="badge stage-accepted">{t('solutions.chosen')}</span>}
          <Link to={`/solutions/${solution.id}`} className="card-title">
            {solution.title}
          </Link>
          <span className="badge badge-soft" title={t('solutions.versionTitle')}>
            {t('solutions.version', { version: solution.version })}
          </span>
        </div>
        <p className="clamp">{solution.body}</p>
        <p className="meta">
          {solution.author.displayName} · <time dateTime={solution.updatedAt}>{f.date(solution.updatedAt)}</time>
        </p>
        {canChoose && (
          <button type="button" className="btn btn-small" onClick={onChoose}>
            {t('solutions.choose')}
          </button>
        )}
      </div>
      <VoteButton solution={solution} />
    </li>
  );
}

/** Vote for a solution: optimistic, rolled back when the server refuses. */
export function VoteButton({ solution }: { solution: Solution }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { me } = useAuth();
  const [voted, setVoted] = useState(!!solution.voted);
  const [count, setCount] = useState(solution.voteCount);
  const [error, setError] = useState<unknown>();
  const [pending, setPending] = useState(false);
  useEffect(() => {
    setVoted(!!solution.voted);
    setCount(solution.voteCount);
  }, [solution.voted, solution.voteCount]);

  async function toggle() {
    const before = { voted, count };
    const next = !voted;
    setVoted(next);
    setCount(count + (next ? 1 : -1));
    setError(undefined);
    setPending(true);
    try {
      const reply = next ? await api.solutions.vote(solution.id) : await api.solutions.unvote(solution.id);
      setVoted(reply.voted);
      setCount(reply.voteCount);
    } catch (err) {
      setVoted(before.voted);
      setCount(before.count);
      setError(err);
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="vote">
      <button
        type="button"
        className={`btn btn-vote ${voted ? 'is-on' : ''}`}
        aria-pressed={voted}
        disabled={!me || pending}
        onClick={toggle}
        aria-label={t('solutions.voteFor', { title: solution.title })}
        title={me ? undefined : t('solutions.signInToVote')}
      >
        <span aria-hidden="true">▲</span>
        <span className="vote-count">{f.number(count)}</span>
      </button>
      <span className="vote-label">{voted ? t('solutions.voted') : t('solutions.vote')}</span>
      {error !== undefined && <ErrorNotice error={error} onRetry={toggle} />}
    </div>
  );
}
