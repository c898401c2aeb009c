import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { Loading } from '../components/Async';
import { useAuth } from './auth';

/** Shows its children to signed-in members (and only operators or partners, with `needs`); others get a way in. */
export function RequireAuth({ children, needs }: { children: ReactNode; needs?: 'operator' | 'partner' }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const location = useLocation();
  if (me === undefined) return <Loading />;
  if (!me) {
    const next = encodeURIComponent(location.pathname + location.search);
    return (
      <div className="notice">
        <p>{t('auth.required')}</p>
        <p className="actions">
          <Link className="btn btn-primary" to={`/signin?next=${next}`}>
            {t('nav.signIn')}
          </Link>
          <Link className="btn" to={`/signup?next=${next}`}>
            {t('nav.signUp')}
          </Link>
        </p>
      </div>
    );
  }
  if (needs && !me.roles.includes(needs)) {
    return (
      <div className="notice notice-error" role="alert">
        {needs === 'partner' ? t('auth.partnerOnly') : t('auth.operatorOnly')}
      </div>
    );
  }
  return <>{children}</>;
}
