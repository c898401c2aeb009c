import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Organisation } from '../../api/types';
import { EarningsView } from '../../components/Earnings';

/** An organisation's earnings, for the partners who act for it: the same view as a member's own. */
export default function PartnerEarnings({ orgs }: { orgs: Organisation[] }) {
  const { t } = useTranslation();
  const [orgId, setOrgId] = useState(orgs[0]!.id);
  const org = orgs.find((o) => o.id === orgId) ?? orgs[0]!;
  return (
    <section aria-labelledby="partner-earnings" className="earnings">
      <div className="section-head">
        <h2 id="partner-earnings">{t('earnings.ofOrganisation', { name: org.name })}</h2>
        {orgs.length > 1 && (
          <label className="inline-select">
            <span>{t('earnings.organisation')}</span>
            <select value={org.id} onChange={(e) => setOrgId(e.target.value)}>
              {orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <EarningsView key={org.id} party={{ kind: 'organisation', id: org.id }} />
    </section>
  );
}
