import { type FormEvent, lazy, Suspense, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router';
import { api } from '../../api';
import type { Poll, PollResults } from '../../api/types';
import { useAuth } from '../../app/auth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async, ErrorNotice, Loading } from '../../components/Async';
import { FormAlert, SelectField, useSubmit } from '../../components/Form';
import { PollStateBadge } from '../../components/PollStateBadge';
import { useFormat } from '../../i18n/format';

/** ECharts loads only with the results, in its own chunk. */
const PollChart = lazy(() => import('../../components/PollChart'));

/** A poll (征集): the question, a ballot that can change or be withdrawn until close, the results. */
export default function PollPage() {
  const { id = '' } = useParams();
  const { me } = useAuth();
  const poll = useApi(() => api.polls.get(id), [id, me?.id]);
  return (
    <Async state={poll.state} reload={poll.reload}>
      {(p) => <PollView poll={p} replace={(next) => poll.set(() => next)} />}
    </Async>
  );
}

function PollView({ poll, replace }: { poll: Poll; replace: (p: Poll) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { isOperator } = useAuth();
  usePageTitle(poll.question);
  const [tick, setTick] = useState(0);
  const target = useApi(
    () =>
      poll.needId
        ? api.needs.get(poll.needId).then((n) => ({ to: `/needs/${n.id}`, title: n.title }))
        : poll.solutionId
          ? api.solutions.get(poll.solutionId).then((s) => ({ to: `/solutions/${s.id}`, title: s.title }))
          : Promise.resolve(null),
    [poll.needId, poll.solutionId],
  );
  const decided = poll.options.find((o) => o.id === poll.decidedOptionId);

  return (
    <article className="poll">
      <header className="page-head">
        <p className="eyebrow">
          {target.state.status === 'ok' && target.state.data ? (
            <Link to={target.state.data.to}>{t('poll.about', { title: target.state.data.title })}</Link>
          ) : (
            t('poll.eyebrow')
          )}
        </p>
        <div className="title-row">
          <h1>{poll.question}</h1>
          <PollStateBadge state={poll.state} />
        </div>
        <p className="meta">
          {t('poll.window', { opens: f.dateTime(poll.opensAt), closes: f.dateTime(poll.closesAt) })} ·{' '}
          {poll.mode === 'single' ? t('poll.single') : t('poll.multiple', { max: f.number(poll.maxChoices) })}
        </p>
        {decided && (
          <p className="notice notice-ok">{t('poll.decided', { option: decided.text, date: f.date(poll.decidedAt!) })}</p>
        )}
      </header>
      <div className="columns">
        <div className="col-main">
          <Ballot
            poll={poll}
            onChanged={(next) => {
              replace(next);
              setTick((n) => n + 1);
            }}
          />
          <Results poll={poll} tick={tick} />
          {isOperator && poll.state === 'closed' && !poll.decidedOptionId && <Decide poll={poll} onDone={replace} />}
        </div>
      </div>
    </article>
  );
}

function Ballot({ poll, onChanged }: { poll: Poll; onChanged: (p: Poll) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const { me } = useAuth();
  const location = useLocation();
  const mine = poll.myBallot?.choices ?? [];
  const [choices, setChoices] = useState<string[]>(mine);
  const [problem, setProblem] = useState<string>();
  const submit = useSubmit({ 409: 'poll.closedNow' });
  const open = poll.state === 'open';
  const single = poll.mode === 'single';
  const full = !single && choices.length >= poll.maxChoices;

  const toggle = (optionId: string, on: boolean) => {
    setProblem(undefined);
    if (single) setChoices([optionId]);
    else setChoices((old) => (on ? [...old.filter((c) => c !== optionId), optionId] : old.filter((c) => c !== optionId)));
  };

  async function vote(e: FormEvent) {
    e.preventDefault();
    if (choices.length === 0) return setProblem(t('poll.chooseOne'));
    if (choices.length > poll.maxChoices) return setProblem(t('poll.tooMany', { max: poll.maxChoices }));
    const ballot = await submit.run(() => api.polls.vote(poll.id, choices));
    if (ballot) onChanged({ ...poll, myBallot: ballot });
  }

  async function withdraw() {
    const done = await submit.run(async () => {
      await api.polls.withdraw(poll.id);
      return true;
    });
    if (done) {
      setChoices([]);
      onChanged({ ...poll, myBallot: null });
    }
  }

  if (!me && open) {
    return (
      <div className="notice">
        <p>{t('poll.signInToVote')}</p>
        <Link className="btn btn-primary" to={`/signin?next=${encodeURIComponent(location.pathname)}`}>
          {t('nav.signIn')}
        </Link>
      </div>
    );
  }
  const error = problem ?? (submit.fieldError('choices') ? t('poll.choicesRejected') : undefined);
  return (
    <form className="form ballot" onSubmit={vote} noValidate>
      <fieldset
        className={error ? 'fieldset-invalid' : undefined}
        disabled={!open || submit.busy}
        aria-describedby={error ? `${id}-error` : `${id}-hint`}
      >
        <legend>{t('poll.yourChoice')}</legend>
        <p className="hint" id={`${id}-hint`}>
          {single ? t('poll.pickOne') : t('poll.pickUpTo', { max: f.number(poll.maxChoices) })}
        </p>
        <ul className="poll-options">
          {poll.options.map((o) => {
            const checked = choices.includes(o.id);
            return (
              <li key={o.id}>
                <label className={`poll-option ${checked ? 'is-on' : ''}`}>
                  <input
                    type={single ? 'radio' : 'checkbox'}
                    name={`${id}-choice`}
                    value={o.id}
                    checked={checked}
                    disabled={!checked && full}
                    onChange={(e) => toggle(o.id, e.target.checked)}
                  />
                  <span>{o.text}</span>
                  {poll.decidedOptionId === o.id && <span className="badge badge-ok">{t('poll.decidedBadge')}</span>}
                </label>
                {o.imageUrl && (
                  <a className="poll-image-link" href={o.imageUrl} target="_blank" rel="noreferrer noopener">
                    {t('poll.image', { option: o.text })}
                  </a>
                )}
              </li>
            );
          })}
        </ul>
        {error && (
          <p className="field-error" id={`${id}-error`} role="alert">
            {error}
          </p>
        )}
      </fieldset>
      {poll.myBallot && (
        <p className="meta" role="status">
          {t('poll.voted', { date: f.dateTime(poll.myBallot.updatedAt) })}
        </p>
      )}
      {poll.state === 'upcoming' && <p className="notice">{t('poll.opensLater', { date: f.dateTime(poll.opensAt) })}</p>}
      {poll.state === 'closed' && <p className="notice">{t('poll.closed', { date: f.dateTime(poll.closesAt) })}</p>}
      <FormAlert error={submit.error} />
      {open && (
        <p className="actions">
          <button type="submit" className="btn btn-primary" disabled={submit.busy}>
            {poll.myBallot ? t('poll.change') : t('poll.vote')}
          </button>
          {poll.myBallot && (
            <button type="button" className="btn" onClick={() => void withdraw()} disabled={submit.busy}>
              {t('poll.withdraw')}
            </button>
          )}
        </p>
      )}
    </form>
  );
}

type By = 'all' | 'community';

function Results({ poll, tick }: { poll: Poll; tick: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [by, setBy] = useState<By>('all');
  const results = useApi(() => api.polls.results(poll.id, by === 'all' ? undefined : by), [poll.id, by, tick]);
  return (
    <section aria-labelledby="poll-results" className="poll-results">
      <div className="section-head">
        <h2 id="poll-results">{t('poll.results')}</h2>
        <fieldset className="segmented">
          <legend className="sr-only">{t('poll.breakdown')}</legend>
          {(['all', 'community'] as const).map((b) => (
            <button key={b} type="button" aria-pressed={by === b} onClick={() => setBy(b)}>
              {t(`poll.by.${b}`)}
            </button>
          ))}
        </fieldset>
      </div>
      <Async state={results.state} reload={results.reload}>
        {(r) =>
          r.results ? (
            <ResultsView results={r} poll={poll} />
          ) : (
            <p className="empty">{t('poll.hiddenUntilClose', { date: f.dateTime(poll.closesAt) })}</p>
          )
        }
      </Async>
    </section>
  );
}

function ResultsView({ results, poll }: { results: PollResults; poll: Poll }) {
  const { t } = useTranslation();
  const f = useFormat();
  const r = results.results!;
  const breakdown = r.breakdown;
  const groupIds = breakdown?.groups ?? [];
  const names = useApi(async () => {
    const entries = await Promise.all(
      groupIds.map((g) =>
        api.communities.get(g).then(
          (c) => [g, c.name] as const,
          () => [g, g] as const,
        ),
      ),
    );
    return Object.fromEntries(entries) as Record<string, string>;
  }, [groupIds.join('|')]);
  const optionText = poll.options.map((o) => o.text);
  const countOf = (optionId: string) => r.options.find((o) => o.optionId === optionId)?.count ?? 0;
  const groupName = (g: string) => (names.state.status === 'ok' ? (names.state.data[g] ?? g) : g);
  const series = useMemo(() => {
    const counts = results.results?.options ?? [];
    const split = results.results?.breakdown;
    if (!split) {
      return [{ name: t('poll.votes'), data: poll.options.map((o) => counts.find((c) => c.optionId === o.id)?.count ?? 0) }];
    }
    const known = names.state.status === 'ok' ? names.state.data : {};
    const byOption = new Map(split.options.map((o) => [o.optionId, o]));
    return split.groups.map((g) => ({
      name: known[g] ?? g,
      data: poll.options.map((o) => byOption.get(o.id)?.groups[g] ?? 0),
    }));
  }, [results, poll.options, names.state, t]);

  if (r.voters === 0) return <p className="empty">{t('poll.noVotes')}</p>;
  if (breakdown && names.state.status === 'loading') return <Loading />;
  if (names.state.status === 'error') return <ErrorNotice error={names.state.error} onRetry={names.reload} />;
  const label = t('poll.chartLabel', { count: r.voters, n: f.number(r.voters) });
  return (
    <>
      <p className="meta">{t('poll.voters', { count: r.voters, n: f.number(r.voters) })}</p>
      <Suspense fallback={<Loading />}>
        <PollChart options={optionText} series={series} label={label} />
      </Suspense>
      <div className="table-wrap">
        <table className="data poll-table">
          <caption className="sr-only">{t('poll.tableCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('poll.option')}</th>
              <th scope="col" className="num">
                {t('poll.votes')}
              </th>
              <th scope="col" className="num">
                {t('poll.share')}
              </th>
              {groupIds.map((g) => (
                <th key={g} scope="col" className="num">
                  {groupName(g)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {poll.options.map((o) => {
              const row = breakdown?.options.find((b) => b.optionId === o.id);
              const count = countOf(o.id);
              return (
                <tr key={o.id}>
                  <th scope="row">{o.text}</th>
                  <td className="num">{f.number(count)}</td>
                  <td className="num">{f.percent(r.voters ? count / r.voters : 0)}</td>
                  {groupIds.map((g) => (
                    <td key={g} className="num">
                      {f.number(row?.groups[g] ?? 0)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {breakdown && breakdown.voters.ungrouped > 0 && (
        <p className="hint">
          {t('poll.ungrouped', { count: breakdown.voters.ungrouped, n: f.number(breakdown.voters.ungrouped) })}
        </p>
      )}
      {poll.mode === 'multiple' && <p className="hint">{t('poll.multipleNote')}</p>}
    </>
  );
}

/** An operator marks a closed poll's winning option as the decided spec. */
function Decide({ poll, onDone }: { poll: Poll; onDone: (p: Poll) => void }) {
  const { t } = useTranslation();
  const [optionId, setOptionId] = useState(poll.options[0]?.id ?? '');
  const submit = useSubmit();
  async function decide(e: FormEvent) {
    e.preventDefault();
    const next = await submit.run(() => api.polls.decide(poll.id, optionId));
    if (next) onDone(next);
  }
  return (
    <form className="form form-inline decide" onSubmit={decide} noValidate>
      <SelectField
        label={t('poll.decideLabel')}
        value={optionId}
        onChange={(e) => setOptionId(e.target.value)}
        error={submit.fieldError('optionId')}
      >
        {poll.options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.text}
          </option>
        ))}
      </SelectField>
      <button type="submit" className="btn" disabled={submit.busy}>
        {t('poll.decide')}
      </button>
      <FormAlert error={submit.error} />
    </form>
  );
}
