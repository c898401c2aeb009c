import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import type { Campaign, TrialApplication, TrialDraw } from '../../api/types';
import { useApi, usePaged } from '../../app/useApi';
import { Async } from '../../components/Async';
import { campaignProblem } from '../../components/campaignProblems';
import { FormAlert, TextField, useSubmit } from '../../components/Form';
import { PagedList } from '../../components/PagedList';
import { useFormat } from '../../i18n/format';

/** A trial at the operator's desk: its applicants (select by hand), a seeded draw, the draws so far and the stats. */
export function TrialDesk({ campaign, onChanged }: { campaign: Campaign; onChanged: () => void }) {
  const [tick, setTick] = useState(0);
  const changed = () => {
    setTick((n) => n + 1);
    onChanged();
  };
  return (
    <>
      <Stats campaign={campaign} tick={tick} />
      <Applications campaign={campaign} tick={tick} onChanged={changed} />
      <DrawForm campaign={campaign} onDrawn={changed} />
      <Draws campaign={campaign} tick={tick} />
    </>
  );
}

function Stats({ campaign, tick }: { campaign: Campaign; tick: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  const stats = useApi(() => api.trials.stats(campaign.id), [campaign.id, tick]);
  return (
    <section aria-labelledby="trial-stats">
      <h3 id="trial-stats">{t('trialDesk.stats')}</h3>
      <Async state={stats.state} reload={stats.reload}>
        {(s) => (
          <dl className="terms-grid">
            <div>
              <dt>{t('trialDesk.applications')}</dt>
              <dd>{f.number(s.applications)}</dd>
            </div>
            <div>
              <dt>{t('trialDesk.selected')}</dt>
              <dd>{f.number(s.selected)}</dd>
            </div>
            <div>
              <dt>{t('trialDesk.feedback')}</dt>
              <dd>{f.number(s.feedback)}</dd>
            </div>
            <div>
              <dt>{t('trialDesk.averageRating')}</dt>
              <dd>{s.averageRating === null ? t('campaign.noPrice') : f.number(Math.round(s.averageRating * 10) / 10)}</dd>
            </div>
            <div>
              <dt>{t('trialDesk.wouldBuy')}</dt>
              <dd>
                {t('trialDesk.wouldBuyFigures', {
                  yes: f.number(s.wouldBuy.yes),
                  maybe: f.number(s.wouldBuy.maybe),
                  no: f.number(s.wouldBuy.no),
                })}
              </dd>
            </div>
            <div>
              <dt>{t('trialDesk.converted')}</dt>
              <dd>
                {f.number(s.converted)}
                {s.conversionRate !== null && <span className="meta"> · {f.percent(s.conversionRate)}</span>}
              </dd>
            </div>
          </dl>
        )}
      </Async>
    </section>
  );
}

function Applications({ campaign, tick, onChanged }: { campaign: Campaign; tick: number; onChanged: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const list = usePaged(
    (cursor) => api.trials.applications(campaign.id, { limit: 50, cursor, state: 'applied' }),
    [campaign.id, tick],
  );
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const submit = useSubmit({}, (error) => campaignProblem(t, f, error));

  async function select(e: FormEvent) {
    e.preventDefault();
    if (chosen.size === 0) {
      submit.setError(t('trialDesk.pickSome'));
      return;
    }
    const done = await submit.run(() => api.trials.select(campaign.id, [...chosen]));
    if (done) {
      setChosen(new Set());
      onChanged();
    }
  }

  const row = (a: TrialApplication) => (
    <li key={a.id} className="card application">
      <label className="choice">
        <input
          type="checkbox"
          checked={chosen.has(a.id)}
          onChange={(e) =>
            setChosen((old) => {
              const next = new Set(old);
              if (e.target.checked) next.add(a.id);
              else next.delete(a.id);
              return next;
            })
          }
        />
        <strong>{a.displayName}</strong>
        {a.householdSize !== null && (
          <span className="meta">{t('trialDesk.household', { count: a.householdSize, n: f.number(a.householdSize) })}</span>
        )}
      </label>
      <p>
        <span className="label-inline">{t('trial.motivation')}</span> {a.motivation}
      </p>
      <p>
        <span className="label-inline">{t('trial.usage')}</span> {a.usage}
      </p>
      <p className="meta">{f.dateTime(a.createdAt)}</p>
    </li>
  );

  return (
    <section aria-labelledby="trial-applications">
      <h3 id="trial-applications">{t('trialDesk.waiting')}</h3>
      <form onSubmit={select} noValidate>
        <PagedList list={list} empty={t('trialDesk.noApplications')} render={row} />
        <FormAlert error={submit.error} />
        {list.items.length > 0 && (
          <p className="actions">
            <button type="submit" className="btn btn-primary" disabled={submit.busy}>
              {t('trialDesk.select', { count: chosen.size, n: f.number(chosen.size) })}
            </button>
          </p>
        )}
      </form>
    </section>
  );
}

function DrawForm({ campaign, onDrawn }: { campaign: Campaign; onDrawn: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [seed, setSeed] = useState('');
  const [count, setCount] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [result, setResult] = useState<TrialDraw>();
  const names = useApi(
    () =>
      result
        ? api.trials
            .applications(campaign.id, { limit: 100, state: 'selected' })
            .then((p) => new Map(p.items.map((a) => [a.id, a.displayName])))
        : Promise.resolve(new Map<string, string>()),
    [result?.drawnAt],
  );
  const submit = useSubmit({}, (error) => campaignProblem(t, f, error));
  const err = (path: string) => problems[path] ?? submit.fieldError(path);

  async function draw(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!seed.trim()) found.seed = t('fieldErrors.required');
    if (count.trim() && !(/^\d{1,7}$/.test(count.trim()) && Number(count) >= 1)) found.count = t('partner.errors.wholeNumber');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const d = await submit.run(() =>
      api.trials.draw(campaign.id, { seed: seed.trim(), ...(count.trim() ? { count: Number(count) } : {}) }),
    );
    if (d) {
      setResult(d);
      onDrawn();
    }
  }

  const nameOf = (applicationId: string) => (names.state.status === 'ok' ? names.state.data.get(applicationId) : undefined);
  return (
    <section aria-labelledby="trial-draw">
      <h3 id="trial-draw">{t('trialDesk.draw')}</h3>
      <p className="hint">{t('trialDesk.drawHint')}</p>
      <form className="form form-inline draw-form" onSubmit={draw} noValidate>
        <TextField
          label={t('trialDesk.seed')}
          maxLength={200}
          value={seed}
          onChange={(e) => setSeed(e.target.value)}
          error={err('seed')}
        />
        <TextField
          label={t('trialDesk.count')}
          hint={t('trialDesk.countHint', { n: f.number(campaign.remaining) })}
          inputMode="numeric"
          value={count}
          onChange={(e) => setCount(e.target.value)}
          error={err('count')}
        />
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {t('trialDesk.drawSubmit')}
        </button>
      </form>
      <FormAlert error={submit.error} />
      {result && (
        <div className="notice notice-ok" role="status">
          <p>
            <strong>
              {t('trialDesk.drawn', {
                count: result.winners.length,
                n: f.number(result.winners.length),
                applicants: f.number(result.applicants),
              })}
            </strong>
          </p>
          <WinnersTable draw={result} nameOf={nameOf} />
        </div>
      )}
    </section>
  );
}

function WinnersTable({ draw, nameOf }: { draw: TrialDraw; nameOf: (applicationId: string) => string | undefined }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="data winners">
        <caption className="sr-only">{t('trialDesk.winners')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('trialDesk.winner')}</th>
            <th scope="col">{t('trialDesk.ticket')}</th>
          </tr>
        </thead>
        <tbody>
          {draw.winners.map((w) => (
            <tr key={w.applicationId}>
              <th scope="row">{nameOf(w.applicationId) ?? w.applicationId}</th>
              <td>
                <code className="ticket">{w.ticket}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every draw so far, with its seed, entrants, winners' tickets and the published method. */
function Draws({ campaign, tick }: { campaign: Campaign; tick: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  const draws = useApi(() => api.trials.draws(campaign.id).then((r) => r.items), [campaign.id, tick]);
  return (
    <Async state={draws.state} reload={draws.reload}>
      {(list) =>
        list.length === 0 ? null : (
          <section aria-labelledby="trial-draws">
            <h3 id="trial-draws">{t('trialDesk.draws')}</h3>
            <ul className="plain-list">
              {list.map((d) => (
                <li key={d.drawnAt} className="card">
                  <p>
                    {t('trialDesk.drawLine', {
                      date: f.dateTime(d.drawnAt),
                      seed: d.seed,
                      count: d.winners.length,
                      n: f.number(d.winners.length),
                      applicants: f.number(d.applicants),
                    })}
                  </p>
                  <details>
                    <summary>{t('trialDesk.tickets')}</summary>
                    <WinnersTable draw={d} nameOf={() => undefined} />
                    <p className="hint">{d.method}</p>
                  </details>
                </li>
              ))}
            </ul>
          </section>
        )
      }
    </Async>
  );
}
