import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api';
import { useApi, usePaged } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { CampaignCard } from '../../components/CampaignCard';
import { CommunityCard, NeedCard } from '../../components/Cards';
import { PagedList } from '../../components/PagedList';
import { SearchBox } from '../../components/SearchBox';

/** Home: search, the communities, and the needs gathering support fastest. */
export function HomePage() {
  const { t } = useTranslation();
  usePageTitle(undefined);
  const communities = usePaged((cursor) => api.communities.list({ cursor, limit: 50 }), []);
  const needs = usePaged((cursor) => api.needs.list({ sort: 'hot', stage: 'open', cursor, limit: 10 }), []);
  // Sales on now and about to start; the section shows only when there are some.
  const campaigns = useApi(
    () =>
      Promise.all([api.campaigns.list({ state: 'live', limit: 6 }), api.campaigns.list({ state: 'scheduled', limit: 6 })]).then(
        ([live, soon]) => [...live.items, ...soon.items],
      ),
    [],
  );
  return (
    <>
      <section className="hero">
        <h1>{t('home.title')}</h1>
        <p className="lede">{t('home.lede')}</p>
        <SearchBox />
        <p className="hero-actions">
          <Link to="/scenes/new" className="btn btn-primary">
            {t('home.describeScene')}
          </Link>
        </p>
      </section>
      {campaigns.state.status === 'ok' && campaigns.state.data.length > 0 && (
        <section aria-labelledby="campaigns-heading" className="home-campaigns">
          <h2 id="campaigns-heading">{t('home.campaigns')}</h2>
          <ul className="list campaign-grid">
            {campaigns.state.data.map((c) => (
              <CampaignCard key={c.id} campaign={c} />
            ))}
          </ul>
        </section>
      )}
      <div className="columns">
        <section aria-labelledby="hot-heading" className="col-main">
          <h2 id="hot-heading">{t('home.hotNeeds')}</h2>
          <PagedList list={needs} empty={t('home.noNeeds')} render={(n) => <NeedCard key={n.id} need={n} />} />
        </section>
        <section aria-labelledby="communities-heading" className="col-side">
          <h2 id="communities-heading">{t('home.communities')}</h2>
          <PagedList
            list={communities}
            className="compact-list"
            empty={t('home.noCommunities')}
            render={(c) => <CommunityCard key={c.id} community={c} />}
          />
        </section>
      </div>
    </>
  );
}
