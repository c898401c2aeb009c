import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api';
import type { Need } from '../../api/types';
import { RequireAuth } from '../../app/RequireAuth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async } from '../../components/Async';
import { FormAlert, TextArea, TextField, useSubmit } from '../../components/Form';

/** Propose a solution to a need. */
export function NewSolutionPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  usePageTitle(t('solutionForm.title'));
  const need = useApi(() => api.needs.get(id), [id]);
  return (
    <RequireAuth>
      <h1>{t('solutionForm.title')}</h1>
      <Async state={need.state} reload={need.reload}>
        {(n) => <SolutionForm need={n} />}
      </Async>
    </RequireAuth>
  );
}

function SolutionForm({ need }: { need: Need }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const submit = useSubmit();
  async function save(e: FormEvent) {
    e.preventDefault();
    const solution = await submit.run(() => api.solutions.create(need.id, { title, body }));
    if (solution) navigate(`/needs/${need.id}`);
  }
  return (
    <>
      <p className="lede">
        {t('solutionForm.forNeed')} <Link to={`/needs/${need.id}`}>{need.title}</Link>
      </p>
      <form className="form" onSubmit={save} noValidate>
        <TextField
          label={t('solutionForm.solutionTitle')}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          maxLength={120}
          error={submit.fieldError('title')}
          required
        />
        <TextArea
          label={t('solutionForm.body')}
          hint={t('solutionForm.bodyHint')}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          rows={8}
          error={submit.fieldError('body')}
          required
        />
        <FormAlert error={submit.error} />
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {submit.busy ? t('common.saving') : t('solutionForm.submit')}
        </button>
      </form>
    </>
  );
}
