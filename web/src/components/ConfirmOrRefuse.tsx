import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from './Form';

export interface ConfirmOrRefuseLabels {
  confirm: string;
  refuse: string;
  reason: string;
  refuseSubmit: string;
}

/**
 * An operator's two answers to something pending: confirm it at once, or refuse it with a reason
 * typed first (required with `reasonRequired`). The caller runs the action and reports `busy`.
 */
export function ConfirmOrRefuse({
  labels,
  busy,
  reasonRequired = false,
  onConfirm,
  onRefuse,
}: {
  labels: ConfirmOrRefuseLabels;
  busy: boolean;
  reasonRequired?: boolean;
  onConfirm: () => void;
  /** Resolves true once refused (the form then closes). */
  onRefuse: (reason: string) => Promise<boolean>;
}) {
  const { t } = useTranslation();
  const [refusing, setRefusing] = useState(false);
  const [reason, setReason] = useState('');

  if (!refusing) {
    return (
      <p className="actions">
        <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={onConfirm}>
          {labels.confirm}
        </button>
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => setRefusing(true)}>
          {labels.refuse}
        </button>
      </p>
    );
  }
  return (
    <div className="form form-inline">
      <TextField label={labels.reason} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
      <p className="actions">
        <button
          type="button"
          className="btn btn-small"
          disabled={busy || (reasonRequired && !reason.trim())}
          onClick={() => void onRefuse(reason.trim()).then((done) => done && setRefusing(false))}
        >
          {labels.refuseSubmit}
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => setRefusing(false)}>
          {t('common.cancel')}
        </button>
      </p>
    </div>
  );
}
