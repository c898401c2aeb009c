import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api';
import type { Need } from '../../api/types';
import { RequireAuth } from '../../app/RequireAuth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async } from '../../components/Async';
import { TitleBodyForm } from '../../components/Form';

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
  return (
    <>
      <p className="lede">
        {t('solutionForm.forNeed')} <Link to={`/needs/${need.id}`}>{need.title}</Link>
      </p>
      <TitleBodyForm
        labels={{
          title: t('solutionForm.solutionTitle'),
          body: t('solutionForm.body'),
          bodyHint: t('solutionForm.bodyHint'),
          submit: t('solutionForm.submit'),
        }}
        bodyRows={8}
        save={({ title, body }) => api.solutions.create(need.id, { title, body })}
        onSaved={() => navigate(`/needs/${need.id}`)}
      />
    </>
  );
}
