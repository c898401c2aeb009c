import { useTranslation } from 'react-i18next';
import type { NeedStage } from '../api/types';

/** The stage of a need as a coloured badge. */
export function StageBadge({ stage }: { stage: NeedStage }) {
  const { t } = useTranslation();
  return <span className={`badge stage-${stage}`}>{t(`stage.${stage}`)}</span>;
}
