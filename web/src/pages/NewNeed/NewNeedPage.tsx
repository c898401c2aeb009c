import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api';
import type { Scene } from '../../api/types';
import { RequireAuth } from '../../app/RequireAuth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async } from '../../components/Async';
import { FormAlert, TextArea, TextField, useSubmit } from '../../components/Form';

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
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const submit = useSubmit();
  async function save(e: FormEvent) {
    e.preventDefault();
    const need = await submit.run(() => api.needs.create({ sceneId: scene.id, title, body }));
    if (need) navigate(`/needs/${need.id}`);
  }
  return (
    <>
      <p className="lede">
        {t('needForm.inScene')} <Link to={`/scenes/${scene.id}`}>{scene.title}</Link>
      </p>
      <form className="form" onSubmit={save} noValidate>
        <TextField
          label={t('needForm.needTitle')}
          hint={t('needForm.needTitleHint')}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          maxLength={120}
          error={submit.fieldError('title')}
          required
        />
        <TextArea
          label={t('needForm.body')}
          hint={t('needForm.bodyHint')}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          rows={6}
          error={submit.fieldError('body')}
          required
        />
        <FormAlert error={submit.error} />
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {submit.busy ? t('common.saving') : t('needForm.submit')}
        </button>
      </form>
    </>
  );
}
