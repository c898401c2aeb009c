import { useTranslation } from 'react-i18next';
import type { AgreementTerms } from '../../api/types';
import { roleLabel } from '../../components/roles';
import { useFormat } from '../../i18n/format';

/** What one unit sold pays to whom, in minor units: the figures the terms imply. */
export function perUnit(terms: AgreementTerms) {
  const price = terms.referenceUnitPrice.amount;
  const share = (bps: number) => Math.floor((price * bps) / 10_000);
  const cost = terms.makerUnitCost?.amount ?? 0;
  const platform = share(terms.platformFeeBps);
  const referral = share(terms.referralCommissionBps);
  const pool = terms.pool.mode === 'share' ? share(terms.pool.bps) : Math.max(0, price - cost - platform - referral);
  return { price, cost, platform, referral, pool };
}

/** The terms of one agreement version: price, cost, fees, the pool and how it is divided. */
export function TermsView({ terms }: { terms: AgreementTerms }) {
  const { t } = useTranslation();
  const f = useFormat();
  const currency = terms.referenceUnitPrice.currency;
  const money = (amount: number) => f.money({ amount, currency });
  const u = perUnit(terms);
  const w = terms.contributionWeights;
  return (
    <div className="terms">
      <dl className="terms-grid">
        <div>
          <dt>{t('agreement.price')}</dt>
          <dd>{money(u.price)}</dd>
        </div>
        <div>
          <dt>{t('agreement.makerCost')}</dt>
          <dd>{terms.makerUnitCost ? money(terms.makerUnitCost.amount) : t('agreement.makerCostPending')}</dd>
        </div>
        <div>
          <dt>{t('agreement.platformFee')}</dt>
          <dd>
            {f.bps(terms.platformFeeBps)} <span className="meta">({money(u.platform)})</span>
          </dd>
        </div>
        <div>
          <dt>{t('agreement.referral')}</dt>
          <dd>
            {f.bps(terms.referralCommissionBps)} <span className="meta">({money(u.referral)})</span>
          </dd>
        </div>
        <div>
          <dt>{t('agreement.pool')}</dt>
          <dd>
            {terms.pool.mode === 'share' ? t('agreement.poolShare', { share: f.bps(terms.pool.bps) }) : t('agreement.poolRest')}{' '}
            <span className="meta">({t('agreement.perUnit', { amount: money(u.pool) })})</span>
          </dd>
        </div>
      </dl>
      <div className="grid-2">
        <div>
          <h4>{t('agreement.roleShares')}</h4>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">{t('agreement.role')}</th>
                  <th scope="col" className="num">
                    {t('agreement.share')}
                  </th>
                  <th scope="col" className="num">
                    {t('agreement.perUnitShort')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(terms.roleShares).map(([role, bps]) => (
                  <tr key={role}>
                    <td>{roleLabel(t, role)}</td>
                    <td className="num">{f.bps(bps)}</td>
                    <td className="num">{money(Math.floor((u.pool * bps) / 10_000))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
        <div>
          <h4>{t('agreement.weights')}</h4>
          <div className="table-wrap">
            <table className="data">
              <tbody>
                <tr>
                  <th scope="row">{t('agreement.weight.needAuthor')}</th>
                  <td className="num">{f.number(w.needAuthor)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('agreement.weight.chosenSolutionAuthors')}</th>
                  <td className="num">{f.number(w.chosenSolutionAuthors)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('agreement.weight.earlySupportersOf', { n: f.number(w.earlySupporters.first) })}</th>
                  <td className="num">{f.number(w.earlySupporters.weight)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('agreement.weight.pollVoters')}</th>
                  <td className="num">{f.number(w.pollVoters)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('agreement.weight.trialReviewers')}</th>
                  <td className="num">{f.number(w.trialReviewers)}</td>
                </tr>
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </div>
  );
}
