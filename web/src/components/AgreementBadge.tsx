import { useTranslation } from 'react-i18next';
import type { Product } from '../api/types';

/** Whether the chain group's agreement lets the product launch: accepted by all, pending, or none yet. */
export function AgreementBadge({ agreement }: { agreement: Product['agreement'] }) {
  const { t } = useTranslation();
  if (agreement.version === null) return <span className="badge badge-warn">{t('product.noAgreement')}</span>;
  return agreement.acceptedByAll ? (
    <span className="badge badge-ok">{t('product.agreementAccepted', { version: agreement.version })}</span>
  ) : (
    <span className="badge badge-warn">{t('product.agreementPending', { version: agreement.version })}</span>
  );
}
