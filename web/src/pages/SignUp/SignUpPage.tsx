import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api';
import { useAuth } from '../../app/auth';
import { usePageTitle } from '../../app/usePageTitle';
import { FormAlert, TextField, useSubmit } from '../../components/Form';
import { safeNext } from '../SignIn/SignInPage';

/** Create a member account; signs in at once. */
export function SignUpPage() {
  const { t } = useTranslation();
  usePageTitle(t('auth.signUpTitle'));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { refresh } = useAuth();
  const [form, setForm] = useState({ displayName: '', email: '', password: '' });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const submit = useSubmit({ 409: 'auth.emailTaken' });
  async function signUp(e: FormEvent) {
    e.preventDefault();
    if (await submit.run(() => api.auth.register(form))) {
      await refresh();
      navigate(safeNext(params.get('next')));
    }
  }
  return (
    <div className="narrow">
      <h1>{t('auth.signUpTitle')}</h1>
      <p className="lede">{t('auth.signUpLede')}</p>
      <form className="form" onSubmit={signUp} noValidate>
        <TextField
          label={t('auth.displayName')}
          hint={t('auth.displayNameHint')}
          autoComplete="nickname"
          value={form.displayName}
          onChange={set('displayName')}
          maxLength={50}
          error={submit.fieldError('displayName')}
          required
        />
        <TextField
          label={t('auth.email')}
          type="email"
          autoComplete="email"
          value={form.email}
          onChange={set('email')}
          error={submit.fieldError('email')}
          required
        />
        <TextField
          label={t('auth.password')}
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
          error={submit.fieldError('password')}
          required
        />
        <FormAlert error={submit.error} />
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {submit.busy ? t('auth.signingUp') : t('nav.signUp')}
        </button>
      </form>
      <p>
        {t('auth.haveAccount')} <Link to={`/signin${params.toString() ? `?${params}` : ''}`}>{t('nav.signIn')}</Link>
      </p>
    </div>
  );
}
