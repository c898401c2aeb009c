import { useTranslation } from 'react-i18next';
import type { PollState } from '../api/types';

/** A poll's state (upcoming, open, closed) as a coloured badge. */
export function PollStateBadge({ state }: { state: PollState }) {
  const { t } = useTranslation();
  const cls = state === 'open' ? 'badge-ok' : state === 'upcoming' ? 'badge-warn' : 'badge-soft';
  return <span className={`badge ${cls}`}>{t(`poll.state.${state}`)}</span>;
}
