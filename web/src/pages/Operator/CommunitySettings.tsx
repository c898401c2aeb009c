import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import type { Community, Milestone } from '../../api/types';
import { useApi } from '../../app/useApi';
import { Async } from '../../components/Async';
import { FormAlert, SelectField, TextArea, TextField, useSubmit } from '../../components/Form';

/** Community settings: name, description and the milestone ladder needs climb; and new communities. */
export function CommunitySettings() {
  const { t } = useTranslation();
  const communities = useApi(() => api.communities.list({ limit: 100 }), []);
  const [selected, setSelected] = useState('');
  return (
    <section aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t('operator.communities')}</h2>
      <Async state={communities.state} reload={communities.reload}>
        {(page) => {
          const current = page.items.find((c) => c.id === selected) ?? page.items[0];
          return (
            <>
              <SelectField
                label={t('operator.pickCommunity')}
                value={current?.id ?? ''}
                onChange={(e) => setSelected(e.target.value)}
              >
                {page.items.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </SelectField>
              {current && (
                <SettingsForm
                  key={current.id}
                  community={current}
                  onSaved={(next) => communities.set((p) => ({ ...p, items: p.items.map((c) => (c.id === next.id ? next : c)) }))}
                />
              )}
            </>
          );
        }}
      </Async>
      <details className="create-community">
        <summary>{t('operator.newCommunity')}</summary>
        <CreateForm
          onCreated={(c) => {
            communities.reload();
            setSelected(c.id);
          }}
        />
      </details>
    </section>
  );
}

function MilestonesEditor({
  value,
  onChange,
  fieldError,
}: {
  value: Milestone[];
  onChange: (m: Milestone[]) => void;
  fieldError: (path: string) => string | undefined;
}) {
  const { t } = useTranslation();
  const update = (i: number, key: keyof Milestone, raw: string) =>
    onChange(value.map((m, j) => (j === i ? { ...m, [key]: Number.parseInt(raw, 10) } : m)));
  return (
    <fieldset className="milestones-editor">
      <legend>{t('community.milestones')}</legend>
      <p className="hint">{t('operator.milestonesHint')}</p>
      <ol>
        {value.map((m, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the ladder
          <li key={i} className="milestone-row">
            <TextField
              label={t('operator.milestoneGoal', { index: i + 1 })}
              type="number"
              inputMode="numeric"
              min={1}
              value={Number.isNaN(m.goal) ? '' : m.goal}
              onChange={(e) => update(i, 'goal', e.target.value)}
              error={fieldError(`milestones.${i}.goal`)}
            />
            <TextField
              label={t('operator.milestoneDays', { index: i + 1 })}
              type="number"
              inputMode="numeric"
              min={1}
              value={Number.isNaN(m.days) ? '' : m.days}
              onChange={(e) => update(i, 'days', e.target.value)}
              error={fieldError(`milestones.${i}.days`)}
            />
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => onChange(value.filter((_, j) => j !== i))}
              disabled={value.length <= 1}
              aria-label={t('operator.removeMilestone', { index: i + 1 })}
            >
              ✕
            </button>
          </li>
        ))}
      </ol>
      {fieldError('milestones') && !value.some((_, i) => fieldError(`milestones.${i}`)) && (
        <p className="field-error" role="alert">
          {fieldError('milestones')}
        </p>
      )}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => {
          const last = value[value.length - 1];
          onChange([...value, { goal: (last?.goal ?? 0) * 10 || 100, days: last?.days ?? 60 }]);
        }}
      >
        {t('operator.addMilestone')}
      </button>
    </fieldset>
  );
}

function SettingsForm({ community, onSaved }: { community: Community; onSaved: (c: Community) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(community.name);
  const [description, setDescription] = useState(community.description);
  const [milestones, setMilestones] = useState<Milestone[]>(community.milestones);
  const [saved, setSaved] = useState(false);
  const submit = useSubmit();
  async function save(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const next = await submit.run(() => api.communities.update(community.id, { name, description, milestones }));
    if (next) {
      setSaved(true);
      onSaved(next);
    }
  }
  return (
    <form className="form" onSubmit={save} noValidate>
      <TextField
        label={t('operator.communityName')}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={submit.fieldError('name')}
      />
      <TextArea
        label={t('operator.communityDescription')}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={submit.fieldError('description')}
      />
      <MilestonesEditor value={milestones} onChange={setMilestones} fieldError={submit.fieldError} />
      <FormAlert error={submit.error} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {submit.busy ? t('common.saving') : t('common.save')}
        </button>
        {saved && (
          <span className="saved" role="status">
            {t('common.saved')}
          </span>
        )}
      </div>
    </form>
  );
}

function CreateForm({ onCreated }: { onCreated: (c: Community) => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ slug: '', name: '', description: '' });
  const submit = useSubmit();
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  async function create(e: FormEvent) {
    e.preventDefault();
    const c = await submit.run(() => api.communities.create(form));
    if (c) {
      setForm({ slug: '', name: '', description: '' });
      onCreated(c);
    }
  }
  return (
    <form className="form" onSubmit={create} noValidate>
      <TextField label={t('operator.communityName')} value={form.name} onChange={set('name')} error={submit.fieldError('name')} />
      <TextField
        label={t('operator.communitySlug')}
        hint={t('operator.communitySlugHint')}
        value={form.slug}
        onChange={set('slug')}
        error={submit.fieldError('slug')}
      />
      <TextArea
        label={t('operator.communityDescription')}
        value={form.description}
        onChange={set('description')}
        error={submit.fieldError('description')}
      />
      <FormAlert error={submit.error} />
      <button type="submit" className="btn btn-primary" disabled={submit.busy}>
        {t('operator.createCommunity')}
      </button>
    </form>
  );
}
