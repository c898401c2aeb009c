import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { ApiError, api } from '../../api';
import type { Campaign, CampaignState, TrialApplication, TrialFeedback } from '../../api/types';
import { useAuth } from '../../app/auth';
import { useApi, usePaged } from '../../app/useApi';
import { Async } from '../../components/Async';
import { campaignProblem } from '../../components/campaignProblems';
import { FormAlert, TextArea, TextField, useSubmit } from '../../components/Form';
import { PagedList } from '../../components/PagedList';
import { useFormat } from '../../i18n/format';

/** My application to a trial, or null when I have not applied. */
const myApplication = (campaignId: string) =>
  api.trials.mine(campaignId).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  });

/** A trial (试用): apply for a free sample with a short form, and see what became of the application. */
export function TrialPanel({ campaign, shown }: { campaign: Campaign; shown: CampaignState }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { me } = useAuth();
  const location = useLocation();
  const mine = useApi(() => (me ? myApplication(campaign.id) : Promise.resolve(null)), [campaign.id, me?.id]);
  const open = shown === 'live' || shown === 'sold_out';
  return (
    <section className="buy-panel card" aria-labelledby="trial-heading">
      <h2 id="trial-heading">{t('trial.title')}</h2>
      <p className="hint">{t('trial.how')}</p>
      {!me ? (
        <div className="notice">
          <p>{t('trial.signIn')}</p>
          <Link className="btn btn-primary" to={`/signin?next=${encodeURIComponent(location.pathname)}`}>
            {t('nav.signIn')}
          </Link>
        </div>
      ) : (
        <Async state={mine.state} reload={mine.reload}>
          {(application) =>
            application ? (
              <ApplicationStatus campaign={campaign} application={application} onChanged={mine.reload} />
            ) : open ? (
              <ApplyForm campaign={campaign} onApplied={(a) => mine.set(() => a)} />
            ) : shown === 'scheduled' ? (
              <p className="notice">{t('trial.opensAt', { date: f.timeSeconds(campaign.startsAt) })}</p>
            ) : (
              <p className="notice">{t('trial.closed')}</p>
            )
          }
        </Async>
      )}
    </section>
  );
}

function ApplicationStatus({
  campaign,
  application,
  onChanged,
}: {
  campaign: Campaign;
  application: TrialApplication;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function withdraw() {
    setBusy(true);
    try {
      await api.trials.withdraw(campaign.id);
      onChanged();
    } catch (err) {
      setError(campaignProblem(t, f, err));
    } finally {
      setBusy(false);
    }
  }
  const cls =
    application.state === 'selected' ? 'notice-ok' : application.state === 'not_selected' ? 'notice-error' : 'notice-info';
  return (
    <div className={`notice ${cls}`} role="status">
      <p>
        <strong>{t(`trial.application.${application.state}`)}</strong>
      </p>
      <p className="meta">{t('trial.appliedOn', { date: f.dateTime(application.createdAt) })}</p>
      {application.state === 'selected' && (
        <p>
          <Link to="/me/orders">{t('trial.toOrder')}</Link>
        </p>
      )}
      {application.state === 'applied' && (
        <p className="actions">
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void withdraw()}>
            {t('trial.withdraw')}
          </button>
        </p>
      )}
      <FormAlert error={error} />
    </div>
  );
}

function ApplyForm({ campaign, onApplied }: { campaign: Campaign; onApplied: (a: TrialApplication) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [motivation, setMotivation] = useState('');
  const [usage, setUsage] = useState('');
  const [household, setHousehold] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit({}, (error) =>
    error instanceof ApiError && Object.keys(error.fields).length === 0
      ? error.kind === 'conflict' && error.extra.reason === 'already-applied'
        ? t('trial.errors.already')
        : campaignProblem(t, f, error)
      : undefined,
  );
  const err = (path: string) => problems[path] ?? submit.fieldError(path);

  async function apply(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!motivation.trim()) found.motivation = t('fieldErrors.required');
    if (!usage.trim()) found.usage = t('fieldErrors.required');
    const size = household.trim() ? Number(household) : undefined;
    if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > 20))
      found.householdSize = t('trial.errors.household');
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const a = await submit.run(() =>
      api.trials.apply(campaign.id, {
        motivation: motivation.trim(),
        usage: usage.trim(),
        ...(size !== undefined ? { householdSize: size } : {}),
      }),
    );
    if (a) onApplied(a);
  }

  return (
    <form className="form trial-form" onSubmit={apply} noValidate aria-label={t('trial.apply')}>
      <TextArea
        label={t('trial.motivation')}
        hint={t('trial.motivationHint')}
        rows={3}
        maxLength={500}
        value={motivation}
        onChange={(e) => setMotivation(e.target.value)}
        error={err('motivation')}
      />
      <TextArea
        label={t('trial.usage')}
        hint={t('trial.usageHint')}
        rows={3}
        maxLength={500}
        value={usage}
        onChange={(e) => setUsage(e.target.value)}
        error={err('usage')}
      />
      <TextField
        label={t('trial.household')}
        className="field-short"
        inputMode="numeric"
        value={household}
        onChange={(e) => setHousehold(e.target.value)}
        error={err('householdSize')}
      />
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {t('trial.apply')}
        </button>
      </p>
    </form>
  );
}

/** Stars for a 1–5 rating, read out as "4 out of 5". */
export function Rating({ rating }: { rating: number }) {
  const { t } = useTranslation();
  return (
    <span className="rating" role="img" aria-label={t('feedback.ratingOf', { rating })}>
      {'★'.repeat(rating)}
      <span className="rating-off">{'★'.repeat(Math.max(0, 5 - rating))}</span>
    </span>
  );
}

/** What those who tried the samples said: rating, would they buy, what they liked and what to improve. */
export function TrialFeedbackList({ campaignId }: { campaignId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const list = usePaged((cursor) => api.trials.feedback(campaignId, { limit: 20, cursor }), [campaignId]);
  return (
    <section aria-labelledby="trial-feedback">
      <h2 id="trial-feedback">{t('feedback.title')}</h2>
      <PagedList
        list={list}
        empty={t('feedback.none')}
        render={(fb: TrialFeedback) => (
          <li key={fb.orderId} className="card feedback-card">
            <div className="card-head">
              <Rating rating={fb.rating} />
              <span className="badge badge-soft">{t(`feedback.wouldBuy.${fb.wouldBuy}`)}</span>
              <time className="meta" dateTime={fb.createdAt}>
                {f.date(fb.createdAt)}
              </time>
            </div>
            {fb.liked && (
              <p>
                <span className="label-inline">{t('feedback.liked')}</span> {fb.liked}
              </p>
            )}
            {fb.improve && (
              <p>
                <span className="label-inline">{t('feedback.improve')}</span> {fb.improve}
              </p>
            )}
          </li>
        )}
      />
    </section>
  );
}
