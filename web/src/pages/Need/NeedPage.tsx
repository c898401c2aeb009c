import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import type { Need } from '../../api/types';
import { useAuth } from '../../app/auth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { AgreementBadge } from '../../components/AgreementBadge';
import { Async, Loading } from '../../components/Async';
import { Comments } from '../../components/Comments';
import { NeedPolls } from '../../components/NeedPolls';
import { RichText } from '../../components/RichText';
import { Solutions } from '../../components/Solutions';
import { StageBadge } from '../../components/StageBadge';
import { SupportPanel } from '../../components/SupportPanel';
import { useFormat } from '../../i18n/format';

/** ECharts is big: the chart loads only when someone opens it. */
const SupportChart = lazy(() => import('../../components/SupportChart'));

/** A need: stage, support with its milestone bar and purchase intent, solutions and comments. */
export function NeedPage() {
  const { id = '' } = useParams();
  const { me } = useAuth();
  // Reload when the caller changes: `supported` and `myIntent` are per member.
  const need = useApi(() => api.needs.get(id), [id, me?.id]);
  return (
    <Async state={need.state} reload={need.reload}>
      {(n) => <NeedView need={n} replace={(next) => need.set(() => next)} />}
    </Async>
  );
}

function NeedView({ need, replace }: { need: Need; replace: (n: Need) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { isOperator } = useAuth();
  usePageTitle(need.title);
  const [showChart, setShowChart] = useState(false);
  const scene = useApi(() => api.scenes.get(need.sceneId), [need.sceneId]);
  const group = useApi(() => api.chainGroups.list({ needId: need.id, limit: 1 }), [need.id]);
  const chainGroup = group.state.status === 'ok' ? group.state.data.items[0] : undefined;
  const products = useApi(
    () => (chainGroup ? api.products.list({ needId: need.id, limit: 5 }) : Promise.resolve({ items: [], nextCursor: null })),
    [need.id, chainGroup?.id],
  );
  // Refresh quietly after a support: the milestone may have moved on.
  const refresh = () => {
    api.needs.get(need.id).then(replace, () => undefined);
  };

  return (
    <article className="need">
      <header className="page-head">
        <p className="eyebrow">
          {scene.state.status === 'ok' ? (
            <Link to={`/scenes/${scene.state.data.id}`}>{t('need.inScene', { title: scene.state.data.title })}</Link>
          ) : (
            t('need.eyebrow')
          )}
        </p>
        <div className="title-row">
          <h1>{need.title}</h1>
          <StageBadge stage={need.stage} />
        </div>
        <p className="meta">
          {t('common.by', { name: need.author.displayName })} · <time dateTime={need.createdAt}>{f.date(need.createdAt)}</time>
        </p>
        {need.mergedInto && (
          <p className="notice">
            {t('need.mergedInto')} <Link to={`/needs/${need.mergedInto}`}>{t('need.goToMerged')}</Link>
          </p>
        )}
        {need.review && (
          <p className={`notice ${need.review.decision === 'decline' ? 'notice-error' : 'notice-ok'}`}>
            {t(need.review.decision === 'accept' ? 'need.reviewAccepted' : 'need.reviewDeclined', {
              date: f.date(need.review.at),
            })}{' '}
            <q>{need.review.reason}</q>
          </p>
        )}
      </header>
      <div className="columns need-columns">
        <div className="col-main">
          <RichText text={need.body} />
          <Solutions need={need} onNeedChanged={replace} />
          <Comments target={{ needId: need.id }} count={need.commentCount} />
        </div>
        <aside className="col-side">
          <SupportPanel need={need} onChanged={refresh} />
          {chainGroup && (
            <section className="card side-card" aria-labelledby="need-chain-group">
              <h2 id="need-chain-group">{t('chainGroup.eyebrow')}</h2>
              <p>
                <Link to={`/chain-groups/${chainGroup.id}`}>{chainGroup.name}</Link>
              </p>
              <p className="meta">
                {t('chainGroup.participantCount', {
                  count: chainGroup.members.length + chainGroup.organisations.length,
                  n: f.number(chainGroup.members.length + chainGroup.organisations.length),
                })}
                {chainGroup.agreement?.acceptedByAll && <> · {t('agreement.acceptedByAll')}</>}
              </p>
              {products.state.status === 'ok' &&
                products.state.data.items.map((p) => (
                  <p key={p.id}>
                    {t('product.eyebrow')}: <Link to={`/products/${p.id}`}>{p.name}</Link>{' '}
                    <AgreementBadge agreement={p.agreement} />
                  </p>
                ))}
            </section>
          )}
          <NeedPolls needId={need.id} />
          <div className="chart-box">
            {showChart ? (
              <Suspense fallback={<Loading />}>
                <SupportChart needId={need.id} />
              </Suspense>
            ) : (
              <button type="button" className="btn btn-small" onClick={() => setShowChart(true)}>
                {t('chart.show')}
              </button>
            )}
          </div>
          {isOperator && (
            <p>
              <Link className="btn btn-small" to={`/operator/needs/${need.id}`}>
                {t('need.manage')}
              </Link>
            </p>
          )}
        </aside>
      </div>
    </article>
  );
}
