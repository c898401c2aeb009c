import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { api } from '../api';
import { ErrorNotice, Loading } from '../components/Async';
import { LANGUAGES, type Language, setLanguage } from '../i18n';
import { useAuth } from './auth';
import { onUnread } from './unread';

/** How often the header asks for the unread count while a member browses without navigating. */
const UNREAD_EVERY_MS = 60_000;

/** "My orders" with the number of unread notifications: asked on every navigation and every minute. */
function OrdersLink() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const [unread, setUnread] = useState(0);
  useEffect(() => onUnread(setUnread), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a navigation is the moment to ask again
  useEffect(() => {
    let live = true;
    const ask = () => {
      if (document.hidden) return;
      api.notifications.unread().then(
        (r) => live && setUnread(r.unread),
        () => undefined,
      );
    };
    ask();
    const timer = setInterval(ask, UNREAD_EVERY_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [pathname]);
  return (
    <NavLink to="/me/orders" className="nav-orders">
      {t('nav.orders')}
      {unread > 0 && (
        <span className="nav-badge">
          <span aria-hidden="true">{unread > 99 ? '99+' : unread}</span>
          <span className="sr-only">{t('nav.unread', { count: unread })}</span>
        </span>
      )}
    </NavLink>
  );
}

/** The frame of every page: skip link, header with navigation, language switch and account. */
export function Layout() {
  const { t, i18n } = useTranslation();
  const { me, error, isOperator, signOut, refresh } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);

  // After a client-side navigation, move focus to the page so keyboard and screen-reader users start there.
  const shown = useRef(location.pathname);
  useEffect(() => {
    if (shown.current === location.pathname) return;
    shown.current = location.pathname;
    main.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [location.pathname]);

  const onSignOut = async () => {
    await signOut().catch(() => undefined);
    navigate('/');
  };

  return (
    <>
      <a href="#main" className="skip-link">
        {t('nav.skip')}
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              ◐
            </span>
            {t('app.name')}
          </Link>
          <nav aria-label={t('nav.label')} className="nav">
            <NavLink to="/" end>
              {t('nav.home')}
            </NavLink>
            <NavLink to="/scenes/new">{t('nav.newScene')}</NavLink>
            {me && (
              <NavLink to="/me" end>
                {t('nav.profile')}
              </NavLink>
            )}
            {me && <OrdersLink />}
            {me && <NavLink to="/me/earnings">{t('nav.earnings')}</NavLink>}
            {me?.roles.includes('partner') && <NavLink to="/partner">{t('nav.partner')}</NavLink>}
            {isOperator && <NavLink to="/operator">{t('nav.operator')}</NavLink>}
          </nav>
          <div className="header-tools">
            <label className="lang-switch">
              <span className="sr-only">{t('nav.language')}</span>
              <select
                value={i18n.language}
                onChange={(e) => void setLanguage(e.target.value as Language)}
                aria-label={t('nav.language')}
                data-testid="language-switch"
              >
                {LANGUAGES.map((lang) => (
                  <option key={lang} value={lang}>
                    {t(`languages.${lang}`)}
                  </option>
                ))}
              </select>
            </label>
            {me === undefined ? null : me ? (
              <>
                <span className="whoami" title={me.email}>
                  {me.displayName}
                </span>
                <button type="button" className="btn btn-ghost btn-small" onClick={onSignOut}>
                  {t('nav.signOut')}
                </button>
              </>
            ) : (
              <>
                <Link
                  to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`}
                  className="btn btn-ghost btn-small"
                >
                  {t('nav.signIn')}
                </Link>
                <Link to="/signup" className="btn btn-primary btn-small">
                  {t('nav.signUp')}
                </Link>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="page">
        {error && <ErrorNotice error={error} onRetry={() => void refresh()} />}
        {/* Pages wait for the caller to be known: what they load (supported, voted) depends on it. */}
        {me === undefined ? <Loading /> : <Outlet />}
      </main>
      <footer className="site-footer">
        <p>{t('app.footer')}</p>
      </footer>
    </>
  );
}
