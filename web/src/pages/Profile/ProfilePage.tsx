import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api';
import type { Me } from '../../api/types';
import { useAuth } from '../../app/auth';
import { RequireAuth } from '../../app/RequireAuth';
import { usePaged } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { NeedCard, SceneCard } from '../../components/Cards';
import { PagedList } from '../../components/PagedList';
import { useFormat } from '../../i18n/format';

/** My profile: the scenes I described, the needs I raised and support, the solutions I proposed. */
export function ProfilePage() {
  const { t } = useTranslation();
  usePageTitle(t('profile.title'));
  const { me } = useAuth();
  return <RequireAuth>{me && <Profile me={me} />}</RequireAuth>;
}

function Profile({ me }: { me: Me }) {
  const { t } = useTranslation();
  const f = useFormat();
  const scenes = usePaged((cursor) => api.scenes.list({ authorId: me.id, cursor }), [me.id]);
  const needs = usePaged((cursor) => api.needs.list({ authorId: me.id, sort: 'new', cursor }), [me.id]);
  const supports = usePaged((cursor) => api.needs.mySupports({ cursor }), [me.id]);
  const solutions = usePaged((cursor) => api.solutions.listByAuthor(me.id, { cursor }), [me.id]);
  return (
    <>
      <header className="page-head">
        <h1>{me.displayName}</h1>
        <p className="meta">
          {me.email} · {me.roles.map((r) => t(`roles.${r}`)).join(' · ')} · {t('profile.since', { date: f.date(me.createdAt) })}
        </p>
        <p className="actions">
          <Link className="btn btn-small" to="/me/contributions">
            {t('profile.contributions')}
          </Link>
          <Link className="btn btn-small" to="/me/earnings">
            {t('profile.earnings')}
          </Link>
        </p>
      </header>
      <div className="grid-2">
        <section aria-labelledby="my-scenes">
          <h2 id="my-scenes">{t('profile.scenes')}</h2>
          <PagedList list={scenes} empty={t('profile.noScenes')} render={(s) => <SceneCard key={s.id} scene={s} />} />
        </section>
        <section aria-labelledby="my-needs">
          <h2 id="my-needs">{t('profile.needs')}</h2>
          <PagedList list={needs} empty={t('profile.noNeeds')} render={(n) => <NeedCard key={n.id} need={n} />} />
        </section>
        <section aria-labelledby="my-supports">
          <h2 id="my-supports">{t('profile.supports')}</h2>
          <PagedList list={supports} empty={t('profile.noSupports')} render={(n) => <NeedCard key={n.id} need={n} />} />
        </section>
        <section aria-labelledby="my-solutions">
          <h2 id="my-solutions">{t('profile.solutions')}</h2>
          <PagedList
            list={solutions}
            empty={t('profile.noSolutions')}
            render={(s) => (
              <li key={s.id} className="card">
                <Link to={`/solutions/${s.id}`} className="card-title">
                  {s.title}
                </Link>
                <p className="meta">
                  {t('solutions.version', { version: s.version })} ·{' '}
                  {t('solutions.votes', { count: s.voteCount, n: f.number(s.voteCount) })}
                  {s.chosen && ` · ${t('solutions.chosen')}`}
                </p>
              </li>
            )}
          />
        </section>
      </div>
    </>
  );
}
