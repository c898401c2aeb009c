import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api';
import type { AdvanceBody, Need } from '../../api/types';
import { useApi } from '../../app/useApi';
import { Async } from '../../components/Async';
import { Comments } from '../../components/Comments';
import { FormAlert, SelectField, TextField, useSubmit } from '../../components/Form';
import { NeedPolls } from '../../components/NeedPolls';
import { Solutions } from '../../components/Solutions';
import { StageBadge } from '../../components/StageBadge';
import { useFormat } from '../../i18n/format';
import { CallsDesk } from './CallsDesk';
import { CreatePoll } from './CreatePoll';
import { ProductDesk } from './ProductDesk';
import { ReviewActions } from './ReviewActions';

const REVIEWABLE = new Set(['open', 'qualified', 'in_review']);
/** Stages around which a chain group may form. */
const FORMS_ON = new Set(['accepted', 'in_development', 'launched', 'delivered']);
const ADVANCE: AdvanceBody['stage'][] = ['in_review', 'in_development', 'launched', 'delivered'];

/** One need at the operator's desk: decide, merge, move its stage, choose its solution, moderate. */
export function NeedDesk() {
  const { id = '' } = useParams();
  const need = useApi(() => api.needs.get(id), [id]);
  return (
    <Async state={need.state} reload={need.reload}>
      {(n) => <Desk need={n} replace={(next) => need.set(() => next)} reload={need.reload} />}
    </Async>
  );
}

function Desk({ need, replace, reload }: { need: Need; replace: (n: Need) => void; reload: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <div className="desk">
      <header className="page-head">
        <div className="title-row">
          <h2>
            <Link to={`/needs/${need.id}`}>{need.title}</Link>
          </h2>
          <StageBadge stage={need.stage} />
        </div>
        <p className="meta">
          {t('need.supports', { count: need.supportCount, n: f.number(need.supportCount) })} ·{' '}
          {t('need.solutions', { count: need.solutionCount, n: f.number(need.solutionCount) })} ·{' '}
          {t('need.comments', { count: need.commentCount, n: f.number(need.commentCount) })}
        </p>
        {need.mergedInto && (
          <p className="notice">
            {t('need.mergedInto')} <Link to={`/operator/needs/${need.mergedInto}`}>{t('need.goToMerged')}</Link>
          </p>
        )}
      </header>
      {REVIEWABLE.has(need.stage) && (
        <section aria-labelledby="decide-heading">
          <h3 id="decide-heading">{t('operator.decide')}</h3>
          <ReviewActions need={need} onDone={replace} onMerged={reload} />
        </section>
      )}
      {need.stage !== 'merged' && need.stage !== 'declined' && <AdvanceForm need={need} onDone={replace} />}
      {FORMS_ON.has(need.stage) && <ChainGroupDesk need={need} />}
      {FORMS_ON.has(need.stage) && <CallsDesk need={need} />}
      {FORMS_ON.has(need.stage) && <ProductDesk need={need} />}
      {need.stage !== 'merged' && need.stage !== 'declined' && (
        <section aria-label={t('poll.onNeed')}>
          <NeedPolls needId={need.id} />
          <details className="create-community">
            <summary>{t('pollForm.title')}</summary>
            <CreatePoll needId={need.id} />
          </details>
        </section>
      )}
      <Solutions need={need} onNeedChanged={replace} />
      <Comments target={{ needId: need.id }} count={need.commentCount} />
    </div>
  );
}

function AdvanceForm({ need, onDone }: { need: Need; onDone: (n: Need) => void }) {
  const { t } = useTranslation();
  const [stage, setStage] = useState<AdvanceBody['stage']>('in_development');
  const submit = useSubmit();
  async function advance(e: FormEvent) {
    e.preventDefault();
    const next = await submit.run(() => api.needs.advance(need.id, { stage }));
    if (next) onDone(next);
  }
  return (
    <form className="form form-inline" onSubmit={advance} noValidate>
      <SelectField
        label={t('operator.advance')}
        value={stage}
        onChange={(e) => setStage(e.target.value as AdvanceBody['stage'])}
        error={submit.fieldError('stage')}
      >
        {ADVANCE.map((s) => (
          <option key={s} value={s}>
            {t(`stage.${s}`)}
          </option>
        ))}
      </SelectField>
      <button type="submit" className="btn" disabled={submit.busy}>
        {t('operator.advanceSubmit')}
      </button>
      <FormAlert error={submit.error} />
    </form>
  );
}

/** The need's chain group, or a form to form one (name; the need's author as its first lead). */
function ChainGroupDesk({ need }: { need: Need }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const group = useApi(() => api.chainGroups.list({ needId: need.id, limit: 1 }), [need.id]);
  const [name, setName] = useState(need.title.slice(0, 120));
  const [authorLeads, setAuthorLeads] = useState(true);
  const submit = useSubmit();
  async function form(e: FormEvent) {
    e.preventDefault();
    const g = await submit.run(() =>
      api.chainGroups.form({ needId: need.id, name: name.trim(), ...(authorLeads ? { leads: [need.author.id] } : {}) }),
    );
    if (g) navigate(`/chain-groups/${g.id}`);
  }
  return (
    <section aria-labelledby="desk-chain-group">
      <h3 id="desk-chain-group">{t('chainGroup.eyebrow')}</h3>
      <Async state={group.state} reload={group.reload}>
        {(page) =>
          page.items[0] ? (
            <p>
              <Link className="btn btn-small" to={`/chain-groups/${page.items[0].id}`}>
                {t('chainGroup.open', { name: page.items[0].name })}
              </Link>
            </p>
          ) : (
            <form className="form" onSubmit={form} noValidate>
              <TextField
                label={t('chainGroup.name')}
                value={name}
                maxLength={120}
                onChange={(e) => setName(e.target.value)}
                error={submit.fieldError('name')}
              />
              <label className="choice">
                <input type="checkbox" checked={authorLeads} onChange={(e) => setAuthorLeads(e.target.checked)} />
                {t('chainGroup.authorLeads', { name: need.author.displayName })}
              </label>
              <FormAlert error={submit.error} />
              <p className="actions">
                <button type="submit" className="btn btn-primary" disabled={submit.busy}>
                  {t('chainGroup.form')}
                </button>
              </p>
            </form>
          )
        }
      </Async>
    </section>
  );
}
