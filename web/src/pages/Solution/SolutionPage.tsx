import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import type { Solution } from '../../api/types';
import { useAuth } from '../../app/auth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async } from '../../components/Async';
import { Comments } from '../../components/Comments';
import { TitleBodyForm } from '../../components/Form';
import { RichText } from '../../components/RichText';
import { VoteButton } from '../../components/Solutions';
import { useFormat } from '../../i18n/format';

/** A solution: its current version, earlier versions, votes, a revision form for its author, comments. */
export function SolutionPage() {
  const { id = '' } = useParams();
  const { me } = useAuth();
  const solution = useApi(() => api.solutions.get(id), [id, me?.id]);
  return (
    <Async state={solution.state} reload={solution.reload}>
      {(s) => <SolutionView solution={s} onRevised={(next) => solution.set(() => next)} />}
    </Async>
  );
}

function SolutionView({ solution, onRevised }: { solution: Solution; onRevised: (s: Solution) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { me } = useAuth();
  usePageTitle(solution.title);
  const [revising, setRevising] = useState(false);
  const versions = useApi(() => api.solutions.versions(solution.id), [solution.id, solution.version]);
  return (
    <article>
      <header className="page-head">
        <p className="eyebrow">
          <Link to={`/needs/${solution.needId}`}>{t('solution.backToNeed')}</Link>
        </p>
        <div className="title-row">
          <h1>{solution.title}</h1>
          {solution.chosen && <span className="badge stage-accepted">{t('solutions.chosen')}</span>}
          <span className="badge badge-soft">{t('solutions.version', { version: solution.version })}</span>
        </div>
        <p className="meta">
          {t('common.by', { name: solution.author.displayName })} ·{' '}
          <time dateTime={solution.updatedAt}>{f.dateTime(solution.updatedAt)}</time>
        </p>
      </header>
      <div className="columns">
        <div className="col-main">
          <RichText text={solution.body} />
          {me?.id === solution.author.id &&
            (revising ? (
              <ReviseForm
                solution={solution}
                onDone={(next) => {
                  setRevising(false);
                  onRevised(next);
                }}
                onCancel={() => setRevising(false)}
              />
            ) : (
              <button type="button" className="btn" onClick={() => setRevising(true)}>
                {t('solution.revise')}
              </button>
            ))}
          <Comments target={{ solutionId: solution.id }} />
        </div>
        <aside className="col-side">
          <VoteButton solution={solution} />
          <section aria-labelledby="versions-heading" className="versions">
            <h2 id="versions-heading">{t('solution.versions')}</h2>
            <Async state={versions.state} reload={versions.reload}>
              {(page) => (
                <ol className="version-list">
                  {[...page.items]
                    .sort((a, b) => b.version - a.version)
                    .map((v) => (
                      <li key={v.version}>
                        <details open={v.version === solution.version}>
                          <summary>
                            {t('solutions.version', { version: v.version })} · {v.title} ·{' '}
                            <time dateTime={v.createdAt}>{f.date(v.createdAt)}</time>
                          </summary>
                          <RichText text={v.body} />
                        </details>
                      </li>
                    ))}
                </ol>
              )}
            </Async>
          </section>
        </aside>
      </div>
    </article>
  );
}

function ReviseForm({ solution, onDone, onCancel }: { solution: Solution; onDone: (s: Solution) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <TitleBodyForm
      heading={<h2>{t('solution.reviseHeading', { version: solution.version + 1 })}</h2>}
      labels={{ title: t('solutionForm.solutionTitle'), body: t('solutionForm.body'), submit: t('solution.publishVersion') }}
      initial={{ title: solution.title, body: solution.body }}
      bodyRows={8}
      save={(value) => api.solutions.revise(solution.id, value)}
      onSaved={onDone}
      actions={
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      }
    />
  );
}
