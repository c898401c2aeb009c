import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import type { Need } from '../../api/types';
import { FormAlert, TextArea, useSubmit } from '../../components/Form';
import { NeedPicker } from './NeedPicker';

/**
 * Accept, decline (with a reason) or merge a need into another. `onDone` gets the reviewed need;
 * `onMerged` the need it was merged into (the server answers a merge with the target).
 */
export function ReviewActions({
  need,
  onDone,
  onMerged = onDone,
}: {
  need: Need;
  onDone: (need: Need) => void;
  onMerged?: (target: Need) => void;
}) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'none' | 'accept' | 'decline' | 'merge'>('none');
  const [reason, setReason] = useState('');
  const [target, setTarget] = useState<Need>();
  const submit = useSubmit();
  // Only qualified (or in-review) needs are accepted or declined; any open one can still be merged.
  const reviewable = need.stage === 'qualified' || need.stage === 'in_review';

  async function review(e: FormEvent) {
    e.preventDefault();
    if (mode !== 'accept' && mode !== 'decline') return;
    const next = await submit.run(() => api.needs.review(need.id, { decision: mode, reason }));
    if (next) onDone(next);
  }
  async function merge() {
    if (!target) return;
    const into = await submit.run(() => api.needs.merge(need.id, target.id));
    if (into) onMerged(into);
  }

  return (
    <div className="review-actions">
      <div className="actions">
        {reviewable && (
          <>
            <button
              type="button"
              className="btn btn-primary btn-small"
              aria-expanded={mode === 'accept'}
              onClick={() => setMode('accept')}
            >
              {t('operator.accept')}
            </button>
            <button type="button" className="btn btn-small" aria-expanded={mode === 'decline'} onClick={() => setMode('decline')}>
              {t('operator.decline')}
            </button>
          </>
        )}
        <button type="button" className="btn btn-small" aria-expanded={mode === 'merge'} onClick={() => setMode('merge')}>
          {t('operator.merge')}
        </button>
      </div>
      {(mode === 'accept' || mode === 'decline') && (
        <form className="form" onSubmit={review} noValidate>
          <TextArea
            label={mode === 'accept' ? t('operator.acceptReason') : t('operator.declineReason')}
            value={reason}
            rows={2}
            onChange={(e) => setReason(e.target.value)}
            error={submit.fieldError('reason')}
            required
          />
          <FormAlert error={submit.error} />
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={submit.busy}>
              {mode === 'accept' ? t('operator.confirmAccept') : t('operator.confirmDecline')}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setMode('none')}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {mode === 'merge' && (
        <div className="merge">
          <NeedPicker
            label={t('operator.mergeSearch')}
            exclude={need.id}
            pickLabel={t('operator.pickTarget')}
            onPick={setTarget}
          />
          {target && (
            <div className="notice">
              <p>{t('operator.mergeConfirm', { from: need.title, into: target.title })}</p>
              <FormAlert error={submit.error} />
              <div className="actions">
                <button type="button" className="btn btn-primary" onClick={merge} disabled={submit.busy}>
                  {t('operator.confirmMerge')}
                </button>
                <button type="button" className="btn btn-ghost" onClick={() => setTarget(undefined)}>
                  {t('common.cancel')}
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
