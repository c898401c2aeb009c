import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api';
import { RequireAuth } from '../../app/RequireAuth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async } from '../../components/Async';
import { FormAlert, SelectField, TextArea, TextField, useSubmit } from '../../components/Form';

/** Describe a scene: who, what they want, what gets in the way, when and where. */
export function NewScenePage() {
  const { t } = useTranslation();
  usePageTitle(t('sceneForm.title'));
  return (
    <RequireAuth>
      <h1>{t('sceneForm.title')}</h1>
      <p className="lede">{t('sceneForm.lede')}</p>
      <SceneForm />
    </RequireAuth>
  );
}

function SceneForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const communities = useApi(() => api.communities.list({ limit: 100 }), []);
  const [form, setForm] = useState({
    communityId: params.get('communityId') ?? '',
    title: '',
    persona: '',
    goal: '',
    pain: '',
    context: '',
    tags: '',
  });
  const submit = useSubmit();
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  async function save(e: FormEvent) {
    e.preventDefault();
    const tags = form.tags
      .split(/[,，、\s]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    const scene = await submit.run(() =>
      api.scenes.create({
        communityId: form.communityId,
        title: form.title,
        persona: form.persona,
        goal: form.goal,
        pain: form.pain,
        ...(form.context.trim() ? { context: form.context } : {}),
        ...(tags.length ? { tags } : {}),
      }),
    );
    if (scene) navigate(`/scenes/${scene.id}`);
  }

  return (
    <Async state={communities.state} reload={communities.reload}>
      {(page) => (
        <form className="form" onSubmit={save} noValidate>
          <SelectField
            label={t('sceneForm.community')}
            value={form.communityId}
            onChange={set('communityId')}
            error={submit.fieldError('communityId')}
            required
          >
            <option value="">{t('sceneForm.chooseCommunity')}</option>
            {page.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </SelectField>
          <TextField
            label={t('sceneForm.sceneTitle')}
            hint={t('sceneForm.sceneTitleHint')}
            value={form.title}
            onChange={set('title')}
            maxLength={120}
            error={submit.fieldError('title')}
            required
          />
          <TextField
            label={t('scene.persona')}
            hint={t('sceneForm.personaHint')}
            value={form.persona}
            onChange={set('persona')}
            maxLength={500}
            error={submit.fieldError('persona')}
            required
          />
          <TextArea
            label={t('scene.goal')}
            hint={t('sceneForm.goalHint')}
            value={form.goal}
            onChange={set('goal')}
            rows={2}
            error={submit.fieldError('goal')}
            required
          />
          <TextArea
            label={t('scene.pain')}
            hint={t('sceneForm.painHint')}
            value={form.pain}
            onChange={set('pain')}
            rows={3}
            error={submit.fieldError('pain')}
            required
          />
          <TextArea
            label={t('scene.context')}
            hint={t('sceneForm.contextHint')}
            value={form.context}
            onChange={set('context')}
            rows={3}
            error={submit.fieldError('context')}
          />
          <TextField
            label={t('scene.tags')}
            hint={t('sceneForm.tagsHint')}
            value={form.tags}
            onChange={set('tags')}
            error={submit.fieldError('tags')}
          />
          <FormAlert error={submit.error} />
          <button type="submit" className="btn btn-primary" disabled={submit.busy}>
            {submit.busy ? t('common.saving') : t('sceneForm.submit')}
          </button>
        </form>
      )}
    </Async>
  );
}
