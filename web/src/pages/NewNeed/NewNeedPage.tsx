import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api';
import type { Scene } from '../../api/types';
import { RequireAuth } from '../../app/RequireAuth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async } from '../../components/Async';
import { TitleBodyForm } from '../../components/Form';

/** Raise a need in a scene: the pain point in a sentence, then the detail. */
export function NewNeedPage() {
  const { t } = useTranslation();
  usePageTitle(t('needForm.title'));
  const [params] = useSearchParams();
  const sceneId = params.get('sceneId') ?? '';
  return (
    <RequireAuth>
      <h1>{t('needForm.title')}</h1>
      {sceneId ? (
        <SceneThenForm sceneId={sceneId} />
      ) : (
        <p className="notice">
          {t('needForm.pickScene')} <Link to="/">{t('nav.home')}</Link>
        </p>
      )}
    </RequireAuth>
  );
}

function SceneThenForm({ sceneId }: { sceneId: string }) {
  const scene = useApi(() => api.scenes.get(sceneId), [sceneId]);
  return (
    <Async state={scene.state} reload={scene.reload}>
      {(s) => <NeedForm scene={s} />}
    </Async>
  );
}

function NeedForm({ scene }: { scene: Scene }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <>
      <p className="lede">
        {t('needForm.inScene')} <Link to={`/scenes/${scene.id}`}>{scene.title}</Link>
      </p>
      <TitleBodyForm
        labels={{
          title: t('needForm.needTitle'),
          titleHint: t('needForm.needTitleHint'),
          body: t('needForm.body'),
          bodyHint: t('needForm.bodyHint'),
          submit: t('needForm.submit'),
        }}
        bodyRows={6}
        save={({ title, body }) => api.needs.create({ sceneId: scene.id, title, body })}
        onSaved={(need) => navigate(`/needs/${need.id}`)}
      />
    </>
  );
}
