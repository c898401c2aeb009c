import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import type { Product } from '../../api/types';
import { useAuth } from '../../app/auth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { AgreementBadge } from '../../components/AgreementBadge';
import { Async } from '../../components/Async';
import { CampaignCard } from '../../components/CampaignCard';
import { byPurpose, purposeLabel } from '../../components/ledgerLabels';
import { RichText } from '../../components/RichText';
import { useFormat } from '../../i18n/format';

/**
 * A product: name, description, pictures, decided and free specs, SKUs, its chain group and agreement,
 * and the value its sales have shared so far.
 */
export default function ProductPage() {
  const { id = '' } = useParams();
  const product = useApi(() => api.products.get(id), [id]);
  return (
    <Async state={product.state} reload={product.reload}>
      {(p) => <ProductView product={p} />}
    </Async>
  );
}

function ProductView({ product }: { product: Product }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { isOperator } = useAuth();
  usePageTitle(product.name);
  const need = useApi(() => api.needs.get(product.needId), [product.needId]);
  const group = useApi(() => api.chainGroups.get(product.chainGroupId), [product.chainGroupId]);
  const campaigns = useApi(() => api.campaigns.list({ productId: product.id, limit: 20 }).then((p) => p.items), [product.id]);

  return (
    <article className="product">
      <header className="page-head">
        <p className="eyebrow">{t('product.eyebrow')}</p>
        <div className="title-row">
          <h1>{product.name}</h1>
          <AgreementBadge agreement={product.agreement} />
        </div>
        <p className="meta">
          {need.state.status === 'ok' && (
            <>
              <Link to={`/needs/${product.needId}`}>{t('chainGroup.forNeed', { title: need.state.data.title })}</Link> ·{' '}
            </>
          )}
          <Link to={`/chain-groups/${product.chainGroupId}`}>
            {group.state.status === 'ok'
              ? t('product.chainGroupNamed', { name: group.state.data.name })
              : t('product.chainGroup')}
          </Link>{' '}
          · <Link to={`/solutions/${product.solutionId}`}>{t('product.solution')}</Link> ·{' '}
          {t('product.updatedOn', { date: f.date(product.updatedAt) })}
        </p>
        <p className="actions">
          <Link className="btn btn-small" to={`/products/${product.id}/trace`}>
            {t('product.trace')}
          </Link>
        </p>
        {isOperator && (
          <p className="actions">
            <Link className="btn btn-small" to={`/operator/needs/${product.needId}`}>
              {t('need.manage')}
            </Link>
            <Link className="btn btn-small" to={`/operator/campaigns?productId=${encodeURIComponent(product.id)}`}>
              {t('product.newCampaign')}
            </Link>
          </p>
        )}
      </header>
      {product.description && <RichText text={product.description} />}
      <section aria-labelledby="product-campaigns">
        <h2 id="product-campaigns">{t('product.campaigns')}</h2>
        <Async state={campaigns.state} reload={campaigns.reload}>
          {(list) =>
            list.length === 0 ? (
              <p className="empty">{t('product.noCampaigns')}</p>
            ) : (
              <ul className="list compact-list">
                {list.map((c) => (
                  <CampaignCard key={c.id} campaign={c} />
                ))}
              </ul>
            )
          }
        </Async>
      </section>
      <ValueSharedSection productId={product.id} />
      {product.images.length > 0 && (
        <section aria-labelledby="product-images">
          <h2 id="product-images">{t('product.images')}</h2>
          <ul className="plain-list">
            {product.images.map((url, i) => (
              <li key={url}>
                <a href={url} target="_blank" rel="noreferrer noopener">
                  {t('product.imageN', { index: i + 1 })}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="product-specs">
        <h2 id="product-specs">{t('product.specs')}</h2>
        {product.specs.length === 0 ? (
          <p className="empty">{t('product.noSpecs')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <tbody>
                {product.specs.map((s) => (
                  <tr key={`${s.source}:${s.key}`}>
                    <th scope="row">{s.key}</th>
                    <td>{s.value}</td>
                    <td>
                      {s.source === 'poll' && s.pollId ? (
                        <Link to={`/polls/${s.pollId}`} className="badge badge-ok">
                          {t('product.fromPoll')}
                        </Link>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="product-skus">
        <h2 id="product-skus">{t('product.skus')}</h2>
        {product.skus.length === 0 ? (
          <p className="empty">{t('product.noSkus')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">{t('product.skuCode')}</th>
                  <th scope="col">{t('product.skuName')}</th>
                  <th scope="col">{t('product.skuAttributes')}</th>
                </tr>
              </thead>
              <tbody>
                {product.skus.map((s) => (
                  <tr key={s.code}>
                    <td>
                      <code>{s.code}</code>
                    </td>
                    <td>{s.name}</td>
                    <td>
                      {Object.entries(s.attributes)
                        .map(([k, v]) => `${k}: ${v}`)
                        .join(t('common.listSeparator'))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </article>
  );
}

/** What the product's sales have shared so far, by purpose and role (net of refunds), and how many sales. */
function ValueSharedSection({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const shared = useApi(() => api.products.valueShared(productId), [productId]);
  return (
    <section aria-labelledby="product-value-shared" className="value-shared">
      <h2 id="product-value-shared">{t('valueShared.title')}</h2>
      <Async state={shared.state} reload={shared.reload}>
        {(v) => {
          if (v.sales === 0 || v.totals.length === 0) return <p className="empty">{t('valueShared.none')}</p>;
          const currencies = [...new Set(v.totals.map((r) => r.currency))].sort();
          return (
            <>
              <p data-testid="value-shared-sales">{t('valueShared.sales', { count: v.sales, n: f.number(v.sales) })}</p>
              <div className="table-wrap">
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">{t('valueShared.purpose')}</th>
                      <th scope="col" className="num">
                        {t('valueShared.amount')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {byPurpose(v.totals).map((r) => (
                      <tr key={`${r.purpose}:${r.role}:${r.currency}`} data-purpose={r.purpose} data-role={r.role ?? undefined}>
                        <th scope="row">{purposeLabel(t, r.purpose, r.role)}</th>
                        <td className="num">{f.money({ amount: r.amount, currency: r.currency })}</td>
                      </tr>
                    ))}
                    {currencies.map((c) => (
                      <tr key={`total:${c}`}>
                        <th scope="row">
                          <strong>{t('valueShared.total')}</strong>
                        </th>
                        <td className="num">
                          <strong data-testid="value-shared-total">
                            {f.money({
                              amount: v.totals.filter((r) => r.currency === c).reduce((sum, r) => sum + r.amount, 0),
                              currency: c,
                            })}
                          </strong>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="hint">{t('valueShared.hint')}</p>
            </>
          );
        }}
      </Async>
    </section>
  );
}
