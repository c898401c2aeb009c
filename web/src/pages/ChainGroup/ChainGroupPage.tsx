import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import type { Agreement, AgreementParty, ChainGroup, Organisation, OrganisationRole } from '../../api/types';
import { useAuth } from '../../app/auth';
import { useApi } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async, ErrorNotice, Loading } from '../../components/Async';
import { FormAlert, SelectField, TextField, useSubmit } from '../../components/Form';
import { roleLabel } from '../../components/roles';
import { useFormat } from '../../i18n/format';
import { AgreementForm } from './AgreementForm';
import { TermsView } from './Terms';

const MEMBER_ROLES = ['lead', 'creator', 'designer', 'marketer'];
const ORG_ROLES: OrganisationRole[] = ['maker', 'retailer', 'service'];

/** A chain group (链群): its need, participants, and the value-sharing agreement with its versions. */
export default function ChainGroupPage() {
  const { id = '' } = useParams();
  const group = useApi(() => api.chainGroups.get(id), [id]);
  return (
    <Async state={group.state} reload={group.reload}>
      {(g) => <GroupView group={g} replace={(next) => group.set(() => next)} reload={group.reload} />}
    </Async>
  );
}

function GroupView({ group, replace, reload }: { group: ChainGroup; replace: (g: ChainGroup) => void; reload: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { me, isOperator } = useAuth();
  usePageTitle(group.name);
  const need = useApi(() => api.needs.get(group.needId), [group.needId]);
  const products = useApi(() => api.products.list({ chainGroupId: group.id, limit: 5 }), [group.id]);
  const myOrgs = useApi(() => (me ? api.organisations.mine().then((r) => r.items) : Promise.resolve([])), [me?.id]);
  const isManager = isOperator || group.members.some((m) => m.memberId === me?.id && m.role === 'lead');
  // Any change of participants or terms resets acceptances: the agreement loads again after each.
  const [rev, setRev] = useState(0);
  const changed = (next?: ChainGroup, agreementToo = true) => {
    if (next) replace(next);
    else api.chainGroups.get(group.id).then(replace, reload);
    if (agreementToo) setRev((n) => n + 1);
  };
  const [removeError, setRemoveError] = useState<unknown>();
  const remove = async (action: () => Promise<void>) => {
    setRemoveError(undefined);
    try {
      await action();
      changed(await api.chainGroups.get(group.id));
    } catch (err) {
      setRemoveError(err);
    }
  };
  const roles = [...new Set([...group.members.map((m) => m.role), ...group.organisations.map((o) => o.role)])];

  return (
    <article className="chain-group">
      <header className="page-head">
        <p className="eyebrow">{t('chainGroup.eyebrow')}</p>
        <div className="title-row">
          <h1>{group.name}</h1>
          {group.agreement?.acceptedByAll && <span className="badge badge-ok">{t('agreement.acceptedByAll')}</span>}
        </div>
        <p className="meta">
          {need.state.status === 'ok' ? (
            <Link to={`/needs/${group.needId}`}>{t('chainGroup.forNeed', { title: need.state.data.title })}</Link>
          ) : (
            <Link to={`/needs/${group.needId}`}>{t('chainGroup.needLink')}</Link>
          )}{' '}
          · {t('chainGroup.formedOn', { date: f.date(group.createdAt) })}
          {products.state.status === 'ok' &&
            products.state.data.items.map((p) => (
              <span key={p.id}>
                {' '}
                · {t('product.eyebrow')}: <Link to={`/products/${p.id}`}>{p.name}</Link>
              </span>
            ))}
        </p>
      </header>

      <section aria-labelledby="cg-participants">
        <h2 id="cg-participants">{t('chainGroup.participants')}</h2>
        {removeError !== undefined && <ErrorNotice error={removeError} />}
        <div className="grid-2">
          <div>
            <h3>{t('chainGroup.members')}</h3>
            {group.members.length === 0 ? (
              <p className="empty">{t('chainGroup.noMembers')}</p>
            ) : (
              <ul className="list compact-list">
                {group.members.map((m) => (
                  <li key={m.memberId} className="card participant-row">
                    <div>
                      <strong>{m.displayName}</strong> <span className="badge badge-soft">{roleLabel(t, m.role)}</span>
                      <p className="meta">{t('chainGroup.addedOn', { date: f.date(m.addedAt) })}</p>
                    </div>
                    {isManager && (
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        aria-label={t('chainGroup.removeNamed', { name: m.displayName })}
                        onClick={() => void remove(() => api.chainGroups.removeMember(group.id, m.memberId))}
                      >
                        {t('chainGroup.remove')}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {isManager && <AddMemberForm group={group} onDone={changed} />}
          </div>
          <div>
            <h3>{t('chainGroup.organisations')}</h3>
            {group.organisations.length === 0 ? (
              <p className="empty">{t('chainGroup.noOrganisations')}</p>
            ) : (
              <ul className="list compact-list">
                {group.organisations.map((o) => (
                  <li key={o.organisationId} className="card participant-row">
                    <div>
                      <strong>{o.name}</strong> <span className="badge badge-soft">{roleLabel(t, o.role)}</span>
                      <p className="meta">{t('chainGroup.addedOn', { date: f.date(o.addedAt) })}</p>
                    </div>
                    {isManager && (
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        aria-label={t('chainGroup.removeNamed', { name: o.name })}
                        onClick={() => void remove(() => api.chainGroups.removeOrganisation(group.id, o.organisationId))}
                      >
                        {t('chainGroup.remove')}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {isManager && <AddOrganisationForm group={group} onDone={changed} />}
          </div>
        </div>
      </section>

      <AgreementSection
        group={group}
        rev={rev}
        isManager={isManager}
        myOrgIds={myOrgs.state.status === 'ok' ? myOrgs.state.data.map((o) => o.id) : []}
        roles={roles}
        onChanged={(agreementToo) => changed(undefined, agreementToo)}
      />
    </article>
  );
}

/** Someone connected to the need: its author, the chosen solution's author, its supporters. */
interface Candidate {
  id: string;
  displayName: string;
}

function AddMemberForm({ group, onDone }: { group: ChainGroup; onDone: (g: ChainGroup) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const candidates = useApi(async (): Promise<Candidate[]> => {
    const need = await api.needs.get(group.needId);
    const list: Candidate[] = [need.author];
    if (need.chosenSolutionId) list.push((await api.solutions.get(need.chosenSolutionId)).author);
    list.push(...(await api.needs.supporters(need.id, { limit: 100 })).items.map((s) => s.member));
    const inGroup = new Set(group.members.map((m) => m.memberId));
    const seen = new Set<string>();
    return list.filter((c) => !inGroup.has(c.id) && !seen.has(c.id) && seen.add(c.id));
  }, [group.needId, group.members.length]);
  const [who, setWho] = useState('');
  const [otherId, setOtherId] = useState('');
  const [role, setRole] = useState('creator');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit();

  async function add(e: FormEvent) {
    e.preventDefault();
    const memberId = who === '__id' ? otherId.trim() : who;
    const found: Record<string, string> = {};
    if (!memberId) found.member = t('fieldErrors.required');
    if (!role.trim()) found.role = t('fieldErrors.required');
    setProblems(found);
    if (Object.keys(found).length) return;
    const next = await submit.run(() => api.chainGroups.putMember(group.id, memberId, role.trim()));
    if (next) {
      setWho('');
      setOtherId('');
      onDone(next);
    }
  }

  return (
    <form className="form add-participant" onSubmit={add} noValidate>
      <h4>{t('chainGroup.addMember')}</h4>
      {candidates.state.status === 'loading' && <Loading />}
      {candidates.state.status === 'error' && <ErrorNotice error={candidates.state.error} onRetry={candidates.reload} />}
      <SelectField label={t('chainGroup.member')} value={who} onChange={(e) => setWho(e.target.value)} error={problems.member}>
        <option value="">{t('chainGroup.pickMember')}</option>
        {candidates.state.status === 'ok' &&
          candidates.state.data.map((c) => (
            <option key={c.id} value={c.id}>
              {c.displayName}
            </option>
          ))}
        <option value="__id">{t('chainGroup.byMemberId')}</option>
      </SelectField>
      {who === '__id' && (
        <TextField label={t('chainGroup.memberId')} value={otherId} onChange={(e) => setOtherId(e.target.value)} />
      )}
      <datalist id={`${id}-roles`}>
        {MEMBER_ROLES.map((r) => (
          <option key={r} value={r}>
            {roleLabel(t, r)}
          </option>
        ))}
      </datalist>
      <TextField
        label={t('chainGroup.role')}
        hint={t('chainGroup.roleHint')}
        list={`${id}-roles`}
        maxLength={30}
        value={role}
        onChange={(e) => setRole(e.target.value)}
        error={problems.role ?? submit.fieldError('role')}
      />
      <FormAlert error={submit.error} />
      <button type="submit" className="btn" disabled={submit.busy}>
        {t('chainGroup.add')}
      </button>
    </form>
  );
}

function AddOrganisationForm({ group, onDone }: { group: ChainGroup; onDone: (g: ChainGroup) => void }) {
  const { t } = useTranslation();
  const orgs = useApi(() => api.organisations.list({ limit: 100 }).then((p) => p.items), []);
  const [orgId, setOrgId] = useState('');
  const [role, setRole] = useState<OrganisationRole>('maker');
  const [problem, setProblem] = useState<string>();
  const submit = useSubmit();
  const available = (list: Organisation[]) => list.filter((o) => !group.organisations.some((p) => p.organisationId === o.id));

  async function add(e: FormEvent) {
    e.preventDefault();
    setProblem(orgId ? undefined : t('fieldErrors.required'));
    if (!orgId) return;
    const next = await submit.run(() => api.chainGroups.putOrganisation(group.id, orgId, role));
    if (next) {
      setOrgId('');
      onDone(next);
    }
  }

  return (
    <form className="form add-participant" onSubmit={add} noValidate>
      <h4>{t('chainGroup.addOrganisation')}</h4>
      {orgs.state.status === 'error' && <ErrorNotice error={orgs.state.error} onRetry={orgs.reload} />}
      <SelectField
        label={t('chainGroup.organisation')}
        value={orgId}
        onChange={(e) => setOrgId(e.target.value)}
        error={problem}
        disabled={orgs.state.status !== 'ok'}
      >
        <option value="">{t('chainGroup.pickOrganisation')}</option>
        {orgs.state.status === 'ok' &&
          available(orgs.state.data).map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
      </SelectField>
      <SelectField
        label={t('chainGroup.role')}
        value={role}
        onChange={(e) => setRole(e.target.value as OrganisationRole)}
        error={submit.fieldError('role')}
      >
        {ORG_ROLES.map((r) => (
          <option key={r} value={r}>
            {roleLabel(t, r)}
          </option>
        ))}
      </SelectField>
      <FormAlert error={submit.error} />
      <button type="submit" className="btn" disabled={submit.busy}>
        {t('chainGroup.add')}
      </button>
    </form>
  );
}

function AgreementSection({
  group,
  rev,
  isManager,
  myOrgIds,
  roles,
  onChanged,
}: {
  group: ChainGroup;
  rev: number;
  isManager: boolean;
  myOrgIds: string[];
  roles: string[];
  onChanged: (agreementToo: boolean) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const hasAgreement = group.agreement !== null;
  const agreement = useApi(
    () => (hasAgreement ? api.chainGroups.agreement(group.id) : Promise.resolve(null)),
    [group.id, hasAgreement, rev],
  );
  const versions = useApi(
    () => (hasAgreement ? api.chainGroups.versions(group.id).then((p) => p.items) : Promise.resolve([])),
    [group.id, hasAgreement, rev],
  );
  const [proposing, setProposing] = useState(false);
  const nameOf = (memberId: string) => group.members.find((m) => m.memberId === memberId)?.displayName;

  return (
    <section aria-labelledby="cg-agreement" className="agreement">
      <div className="section-head">
        <h2 id="cg-agreement">{t('agreement.title')}</h2>
        {isManager && hasAgreement && !proposing && (
          <button type="button" className="btn btn-small" onClick={() => setProposing(true)}>
            {t('agreement.proposeNew')}
          </button>
        )}
      </div>
      <Async state={agreement.state} reload={agreement.reload}>
        {(a) => (
          <>
            {!a && <p className="empty">{t('agreement.none')}</p>}
            {a && (
              <CurrentAgreement
                agreement={a}
                myOrgIds={myOrgIds}
                onAccepted={(next) => {
                  agreement.set(() => next);
                  onChanged(false);
                }}
              />
            )}
            {isManager && (!a || proposing) && (
              <AgreementForm
                // A first proposal starts from the participants' roles: a new form when they change.
                key={a ? a.version : roles.join('|')}
                chainGroupId={group.id}
                current={a?.terms}
                roles={roles}
                onDone={() => {
                  setProposing(false);
                  onChanged(true);
                }}
              />
            )}
            {isManager && proposing && (
              <button type="button" className="btn btn-ghost" onClick={() => setProposing(false)}>
                {t('common.cancel')}
              </button>
            )}
          </>
        )}
      </Async>
      {hasAgreement && (
        <section aria-labelledby="cg-versions" className="versions">
          <h3 id="cg-versions">{t('agreement.versions')}</h3>
          <Async state={versions.state} reload={versions.reload}>
            {(list) => (
              <ol className="list compact-list version-list" reversed>
                {list.map((v) => (
                  <li key={v.version} className="card">
                    <details open={false}>
                      <summary>
                        {t('agreement.versionN', { version: v.version })}
                        {v.current && <span className="badge badge-soft">{t('agreement.current')}</span>} ·{' '}
                        <time dateTime={v.createdAt}>{f.dateTime(v.createdAt)}</time>
                        {nameOf(v.proposedBy) && <> · {t('agreement.proposedBy', { name: nameOf(v.proposedBy) })}</>}
                      </summary>
                      <TermsView terms={v.terms} />
                    </details>
                  </li>
                ))}
              </ol>
            )}
          </Async>
        </section>
      )}
    </section>
  );
}

function CurrentAgreement({
  agreement,
  myOrgIds,
  onAccepted,
}: {
  agreement: Agreement;
  myOrgIds: string[];
  onAccepted: (a: Agreement) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const { me } = useAuth();
  const submit = useSubmit();
  const mine = (p: AgreementParty) => (p.kind === 'member' ? p.id === me?.id : myOrgIds.includes(p.id));
  const pending = agreement.parties.filter((p) => mine(p) && !p.accepted);
  const accepted = agreement.parties.filter((p) => p.accepted).length;

  async function accept() {
    const next = await submit.run(() => api.chainGroups.accept(agreement.chainGroupId, agreement.version));
    if (next) onAccepted(next);
  }

  return (
    <div className="card current-agreement">
      <div className="title-row">
        <h3>{t('agreement.versionN', { version: agreement.version })}</h3>
        {agreement.acceptedByAll ? (
          <span className="badge badge-ok">{t('agreement.acceptedByAll')}</span>
        ) : (
          <span className="badge badge-warn">
            {t('agreement.acceptedCount', { accepted: f.number(accepted), parties: f.number(agreement.parties.length) })}
          </span>
        )}
      </div>
      <p className="meta">{t('agreement.proposedOn', { date: f.dateTime(agreement.createdAt) })}</p>
      <TermsView terms={agreement.terms} />
      <h4>{t('agreement.parties')}</h4>
      <div className="table-wrap">
        <table className="data parties">
          <thead>
            <tr>
              <th scope="col">{t('agreement.party')}</th>
              <th scope="col">{t('agreement.role')}</th>
              <th scope="col">{t('agreement.acceptance')}</th>
            </tr>
          </thead>
          <tbody>
            {agreement.parties.map((p) => (
              <tr key={`${p.kind}:${p.id}`}>
                <td>
                  {p.name}{' '}
                  <span className="meta">
                    {p.kind === 'organisation' ? t('agreement.kindOrganisation') : t('agreement.kindMember')}
                  </span>
                </td>
                <td>{roleLabel(t, p.role)}</td>
                <td>
                  {p.accepted && p.acceptedAt ? (
                    <span className="accepted">{t('agreement.acceptedOn', { date: f.date(p.acceptedAt) })}</span>
                  ) : (
                    <span className="pending">{t('agreement.pending')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pending.length > 0 && (
        <div className="accept-box">
          <p>
            {t('agreement.youArePending', {
              parties: pending.map((p) => p.name).join(t('common.listSeparator')),
            })}
          </p>
          <button type="button" className="btn btn-primary" onClick={() => void accept()} disabled={submit.busy}>
            {t('agreement.accept', { version: agreement.version })}
          </button>
          <FormAlert error={submit.error} />
        </div>
      )}
    </div>
  );
}
