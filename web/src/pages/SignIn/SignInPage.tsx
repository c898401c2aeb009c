import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api';
import { useAuth } from '../../app/auth';
import { usePageTitle } from '../../app/usePageTitle';
import { FormAlert, TextField, useSubmit } from '../../components/Form';

/** Where to go after signing in: a path inside the app, never another site. */
export function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Sign in with email and password. */
export function SignInPage() {
  const { t } = useTranslation();
  usePageTitle(t('auth.signInTitle'));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { refresh } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit({ 401: 'auth.badCredentials' });
  async function signIn(e: FormEvent) {
    e.preventDefault();
    if (await submit.run(() => api.auth.login({ email, password }))) {
      await refresh();
      navigate(safeNext(params.get('next')));
    }
  }
  return (
    <div className="narrow">
      <h1>{t('auth.signInTitle')}</h1>
      <form className="form" onSubmit={signIn} noValidate>
        <TextField
          label={t('auth.email')}
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={submit.fieldError('email')}
          required
        />
        <TextField
          label={t('auth.password')}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={submit.fieldError('password')}
          required
        />
        <FormAlert error={submit.error} />
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {submit.busy ? t('auth.signingIn') : t('nav.signIn')}
        </button>
      </form>
      <p>
        {t('auth.noAccount')} <Link to={`/signup${params.toString() ? `?${params}` : ''}`}>{t('nav.signUp')}</Link>
      </p>
    </div>
  );
}
