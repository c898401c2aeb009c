import type { AgreementTerms } from '../../contracts/chain-groups.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { AccountsService } from '../accounts/index.js';
import type { NeedsService } from '../needs/index.js';
import type { OrganisationsService } from '../organisations/index.js';
import { validateTerms } from './chain-groups.agreement.js';
import { chainGroupsRepository as repo } from './chain-groups.repository.js';
import type {
  AgreementAcceptancesTable,
  AgreementVersionsTable,
  ChainGroupMembersTable,
  ChainGroupOrganisationsTable,
  ChainGroupsTable,
} from './chain-groups.tables.js';

export interface ChainGroupsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  accounts: AccountsService;
  needs: NeedsService;
  organisations: OrganisationsService;
}

/** Need stages around which a chain group may form. */
const FORMS_ON = new Set(['accepted', 'in_development', 'launched', 'delivered']);

export type OrganisationRole = 'maker' | 'retailer' | 'service';
type PartyKind = 'member' | 'organisation';

interface Participants {
  members: ChainGroupMembersTable[];
  organisations: ChainGroupOrganisationsTable[];
}

/** One party's acceptance of a version, as other modules and the routes see it. */
export interface PartyAcceptance {
  kind: PartyKind;
  id: string;
  name: string;
  role: string;
  accepted: boolean;
  acceptedBy: string | null;
  acceptedAt: string | null;
}

/** The current agreement version, with every party's acceptance. */
export interface AgreementView {
  chainGroupId: string;
  version: number;
  terms: AgreementTerms;
  proposedBy: string;
  createdAt: string;
  acceptedByAll: boolean;
  parties: PartyAcceptance[];
}

const rolesOf = (p: Participants) => new Set([...p.members.map((m) => m.role), ...p.organisations.map((o) => o.role)]);

/** Roles the terms share the pool with that no participant holds any more. */
const missingRoles = (terms: AgreementTerms, p: Participants) => {
  const roles = rolesOf(p);
  return Object.keys(terms.roleShares).filter((r) => !roles.has(r));
};

/** Chain groups (链群): cross-party teams around an accepted need, holding the value-sharing agreement (分成). */
export class ChainGroupsService {
  constructor(private readonly deps: ChainGroupsDeps) {}

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }

  private publish(trx: Executor, type: string, chainGroupId: string, actorId: string, payload: Record<string, unknown>) {
    return this.deps.events.publish(trx, {
      type,
      aggregateType: 'chain-group',
      aggregateId: chainGroupId,
      actorId,
      payload: { chainGroupId, ...payload },
    });
  }

  private async participants(ex: Executor, id: string): Promise<Participants> {
    return { members: await repo.listMembers(ex, id), organisations: await repo.listOrganisations(ex, id) };
  }

  /** Locks a chain group's row for the transaction (the aggregate's lock, taken first), or not_found. */
  private async lock(trx: Executor, id: string): Promise<ChainGroupsTable> {
    const row = await repo.findForUpdate(trx, id);
    if (!row) throw AppError.notFound('Chain group');
    return row;
  }

  private async require(ex: Executor, id: string): Promise<ChainGroupsTable> {
    const row = await repo.find(ex, id);
    if (!row) throw AppError.notFound('Chain group');
    return row;
  }

  /** Operators and the group's leads manage participants and propose agreement versions. */
  private async requireManager(ex: Executor, actor: Actor, chainGroupId: string): Promise<void> {
    if (actor.roles.includes('operator')) return;
    const me = await repo.findMember(ex, chainGroupId, actor.memberId);
    if (me?.role !== 'lead') throw new AppError('forbidden', 'Only the chain group’s leads and operators do this');
  }

  private organisationNames(ids: readonly string[]): Promise<Map<string, string>> {
    return this.deps.organisations.namesOf(this.deps.db.kysely, ids);
  }

  /** Every party of the group and whether (and by whom) it accepted the given version. */
  private async acceptances(ex: Executor, row: ChainGroupsTable, p: Participants): Promise<PartyAcceptance[]> {
    const given =
      row.agreement_version > 0 ? await repo.listAcceptances(ex, row.id, row.agreement_version, row.party_revision) : [];
    const byParty = new Map(given.map((a) => [`${a.party_kind}:${a.party_id}`, a]));
    const memberNames = await this.deps.accounts.displayNames(
      ex,
      p.members.map((m) => m.member_id),
    );
    const orgNames = await this.organisationNames(p.organisations.map((o) => o.organisation_id));
    const party = (kind: PartyKind, id: string, name: string, role: string): PartyAcceptance => {
      const a = byParty.get(`${kind}:${id}`);
      return { kind, id, name, role, accepted: !!a, acceptedBy: a?.accepted_by ?? null, acceptedAt: a?.accepted_at ?? null };
    };
    return [
      ...p.members.map((m) => party('member', m.member_id, memberNames.get(m.member_id) ?? '', m.role)),
      ...p.organisations.map((o) => party('organisation', o.organisation_id, orgNames.get(o.organisation_id) ?? '', o.role)),
    ];
  }

  private async view(ex: Executor, row: ChainGroupsTable) {
    const p = await this.participants(ex, row.id);
    const names = await this.deps.accounts.displayNames(
      ex,
      p.members.map((m) => m.member_id),
    );
    const orgNames = await this.organisationNames(p.organisations.map((o) => o.organisation_id));
    let agreement = null;
    if (row.agreement_version > 0) {
      const parties = await this.acceptances(ex, row, p);
      const accepted = parties.filter((x) => x.accepted).length;
      agreement = {
        version: row.agreement_version,
        acceptedByAll: parties.length > 0 && accepted === parties.length,
        acceptedParties: accepted,
        parties: parties.length,
      };
    }
    return {
      id: row.id,
      needId: row.need_id,
      name: row.name,
      formedBy: row.formed_by,
      createdAt: row.created_at,
      members: p.members.map((m) => ({
        memberId: m.member_id,
        displayName: names.get(m.member_id) ?? '',
        role: m.role,
        addedAt: m.added_at,
      })),
      organisations: p.organisations.map((o) => ({
        organisationId: o.organisation_id,
        name: orgNames.get(o.organisation_id) ?? '',
        role: o.role as OrganisationRole,
        addedAt: o.added_at,
      })),
      agreement,
    };
  }

  /** Marks a change of the participants: acceptances given before it no longer count. */
  private async partiesChanged(trx: Executor, row: ChainGroupsTable, now: string): Promise<void> {
    await repo.update(trx, row.id, { party_revision: row.party_revision + 1, updated_at: now });
  }

  /**
   * An operator forms a chain group around a need that has been accepted (or is further along);
   * one active chain group per need. The operator may name its first leads.
   */
  async formChainGroup(actor: Actor, input: { needId: string; name: string; leads?: string[] }) {
    const now = this.nowIso();
    const leads = [...new Set(input.leads ?? [])];
    const row = await this.deps.db
      .transaction(async (trx) => {
        // The need's lock serialises two operators forming a group around it at once.
        const need = await this.deps.needs.requireNeed(trx, input.needId, { lock: true });
        if (!FORMS_ON.has(need.stage)) {
          throw new AppError('conflict', `A chain group forms around an accepted need; this one is ${need.stage}`, {
            extra: { stage: need.stage },
          });
        }
        const existing = await repo.findActiveForNeed(trx, input.needId);
        if (existing) {
          throw new AppError('conflict', 'This need already has a chain group', { extra: { chainGroupId: existing.id } });
        }
        for (const [i, memberId] of leads.entries()) {
          try {
            await this.deps.accounts.getMember(trx, memberId);
          } catch (err) {
            if (err instanceof AppError && err.kind === 'not_found') throw AppError.invalid(`leads.${i}`, 'is not a member');
            throw err;
          }
        }
        const row: ChainGroupsTable = {
          id: newId('cg', this.deps.clock.now()),
          need_id: input.needId,
          name: input.name,
          status: 'active',
          formed_by: actor.memberId,
          agreement_version: 0,
          party_revision: 0,
          created_at: now,
          updated_at: now,
        };
        await repo.insert(trx, row);
        for (const memberId of leads) await repo.putMember(trx, row.id, memberId, 'lead', now);
        await this.publish(trx, 'chain-group.formed', row.id, actor.memberId, { needId: row.need_id, name: row.name, leads });
        for (const memberId of leads) {
          await this.publish(trx, 'chain-group.participant-added', row.id, actor.memberId, {
            kind: 'member',
            participantId: memberId,
            role: 'lead',
            previousRole: null,
          });
        }
        return row;
      })
      .catch((err) => {
        if (isUniqueViolation(err)) throw new AppError('conflict', 'This need already has a chain group');
        throw err;
      });
    return this.view(this.deps.db.kysely, row);
  }

  /** One chain group with its participants and a summary of its current agreement. */
  async getChainGroup(id: string) {
    return this.view(this.deps.db.kysely, await this.require(this.deps.db.kysely, id));
  }

  /** Chain groups, newest first, optionally of one need. */
  async listChainGroups(limit: number, cursor?: string, needId?: string) {
    const ex = this.deps.db.kysely;
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.list(ex, limit + 1, needId, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    const items = [];
    for (const r of page.items) items.push(await this.view(ex, r));
    return { items, nextCursor: page.nextCursor };
  }

  /** A lead or operator adds a member with a role, or changes their role (the same role again changes nothing). */
  async putMember(actor: Actor, id: string, memberId: string, role: string) {
    const now = this.nowIso();
    await this.deps.db.transaction(async (trx) => {
      const row = await this.lock(trx, id);
      await this.requireManager(trx, actor, id);
      await this.deps.accounts.getMember(trx, memberId);
      const before = await repo.findMember(trx, id, memberId);
      if (before?.role === role) return;
      await repo.putMember(trx, id, memberId, role, now);
      await this.partiesChanged(trx, row, now);
      await this.publish(trx, 'chain-group.participant-added', id, actor.memberId, {
        kind: 'member',
        participantId: memberId,
        role,
        previousRole: before?.role ?? null,
      });
    });
    return this.getChainGroup(id);
  }

  /** A lead or operator removes a member (idempotent). */
  async removeMember(actor: Actor, id: string, memberId: string) {
    const now = this.nowIso();
    await this.deps.db.transaction(async (trx) => {
      const row = await this.lock(trx, id);
      await this.requireManager(trx, actor, id);
      const before = await repo.findMember(trx, id, memberId);
      if (!before) return;
      await repo.removeMember(trx, id, memberId);
      await this.partiesChanged(trx, row, now);
      await this.publish(trx, 'chain-group.participant-removed', id, actor.memberId, {
        kind: 'member',
        participantId: memberId,
        role: before.role,
      });
    });
  }

  /** A lead or operator adds a partner organisation with a role, or changes its role. */
  async putOrganisation(actor: Actor, id: string, organisationId: string, role: OrganisationRole) {
    await this.require(this.deps.db.kysely, id);
    // Organisations are never deleted, so checking before the transaction is enough.
    await this.deps.organisations.getOrganisation(organisationId);
    await this.deps.db.transaction(async (trx) => {
      await this.lock(trx, id);
      await this.requireManager(trx, actor, id);
      await this.addOrganisationIn(trx, actor.memberId, id, organisationId, role);
    });
    return this.getChainGroup(id);
  }

  /**
   * Adds an organisation to a chain group (or changes its role) inside the caller's transaction,
   * without checking who may: for other modules' use cases that decided it already (an awarded bid
   * makes its partner a maker). The caller has checked that the organisation exists.
   * @example await chainGroups.addOrganisationIn(trx, operatorId, chainGroupId, bid.organisationId, 'maker');
   */
  async addOrganisationIn(
    trx: Executor,
    actorId: string,
    chainGroupId: string,
    organisationId: string,
    role: OrganisationRole,
  ): Promise<void> {
    const now = this.nowIso();
    const row = await this.lock(trx, chainGroupId);
    const before = await repo.findOrganisation(trx, chainGroupId, organisationId);
    if (before?.role === role) return;
    await repo.putOrganisation(trx, chainGroupId, organisationId, role, now);
    await this.partiesChanged(trx, row, now);
    await this.publish(trx, 'chain-group.participant-added', chainGroupId, actorId, {
      kind: 'organisation',
      participantId: organisationId,
      role,
      previousRole: before?.role ?? null,
    });
  }

  /** The active chain group formed around a need, if any (for bids and products). */
  /** Whether a member leads the active chain group formed around a need (polls let leads manage them). */
  async isLeadOfNeed(ex: Executor, needId: string, memberId: string): Promise<boolean> {
    const row = await repo.findActiveForNeed(ex, needId);
    if (!row) return false;
    return (await repo.listMembers(ex, row.id)).some((m) => m.member_id === memberId && m.role === 'lead');
  }

  /** The maker organisations of a chain group (those that fulfil its product's orders). */
  makersOf(ex: Executor, chainGroupId: string): Promise<string[]> {
    return repo.organisationsInRole(ex, chainGroupId, 'maker');
  }

  /** The chain groups in which any of these organisations is a maker. */
  groupsMadeBy(ex: Executor, organisationIds: readonly string[]): Promise<string[]> {
    return repo.groupsWithOrganisations(ex, organisationIds, 'maker');
  }

  async findForNeed(ex: Executor, needId: string): Promise<{ id: string; needId: string; name: string } | null> {
    const row = await repo.findActiveForNeed(ex, needId);
    return row ? { id: row.id, needId: row.need_id, name: row.name } : null;
  }

  /** A lead or operator removes an organisation (idempotent). */
  async removeOrganisation(actor: Actor, id: string, organisationId: string) {
    const now = this.nowIso();
    await this.deps.db.transaction(async (trx) => {
      const row = await this.lock(trx, id);
      await this.requireManager(trx, actor, id);
      const before = await repo.findOrganisation(trx, id, organisationId);
      if (!before) return;
      await repo.removeOrganisation(trx, id, organisationId);
      await this.partiesChanged(trx, row, now);
      await this.publish(trx, 'chain-group.participant-removed', id, actor.memberId, {
        kind: 'organisation',
        participantId: organisationId,
        role: before.role,
      });
    });
  }

  /**
   * A lead or operator proposes version n+1 of the agreement; it becomes current and needs every
   * party's acceptance. Terms whose sums do not hold are refused with 422 naming each field.
   */
  async proposeAgreement(actor: Actor, id: string, terms: AgreementTerms): Promise<AgreementView> {
    const now = this.nowIso();
    await this.deps.db.transaction(async (trx) => {
      const row = await this.lock(trx, id);
      await this.requireManager(trx, actor, id);
      const problems = validateTerms(terms, rolesOf(await this.participants(trx, id)));
      if (problems.length > 0) {
        throw new AppError('validation', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { errors: problems });
      }
      await this.newVersion(trx, row, terms, actor.memberId, now, {});
    });
    return this.getAgreement(id);
  }

  /** Writes the next agreement version (clearing acceptances: they are per version) and announces it. */
  private async newVersion(
    trx: Executor,
    row: { id: string; agreement_version: number },
    terms: AgreementTerms,
    actorId: string,
    now: string,
    extra: Record<string, unknown>,
  ): Promise<number> {
    const version = row.agreement_version + 1;
    const v: AgreementVersionsTable = {
      chain_group_id: row.id,
      version,
      terms: JSON.stringify(terms),
      proposed_by: actorId,
      created_at: now,
    };
    await repo.insertVersion(trx, v);
    await repo.update(trx, row.id, { agreement_version: version, updated_at: now });
    await this.publish(trx, 'agreement.version-proposed', row.id, actorId, { version, ...extra });
    return version;
  }

  /**
   * After a production award (inside its transaction): the current agreement's maker unit cost
   * becomes the awarded one, as a new version every party accepts again. Nothing happens when
   * there is no agreement yet, the cost is unchanged, or the new terms would not add up (the leads
   * then propose a version by hand). Returns the new version, or null.
   */
  async setMakerCostIn(
    trx: Executor,
    actorId: string,
    chainGroupId: string,
    cost: { amount: number; currency: string },
  ): Promise<number | null> {
    const row = await this.lock(trx, chainGroupId);
    if (row.agreement_version === 0) return null;
    const current = await repo.findVersion(trx, chainGroupId, row.agreement_version);
    if (!current) return null;
    const terms = JSON.parse(current.terms) as AgreementTerms;
    const was = terms.makerUnitCost;
    if (was && was.amount === cost.amount && was.currency === cost.currency) return null;
    const next: AgreementTerms = { ...terms, makerUnitCost: cost };
    if (validateTerms(next, rolesOf(await this.participants(trx, chainGroupId))).length > 0) return null;
    return this.newVersion(trx, row, next, actorId, this.nowIso(), { reason: 'award', makerUnitCost: cost });
  }

  /**
   * A party accepts the current version: a participant member for themselves, a partner for each
   * participant organisation they act for. Accepting again changes nothing.
   */
  async acceptAgreement(actor: Actor, id: string, version: number): Promise<AgreementView> {
    const now = this.nowIso();
    await this.deps.db.transaction(async (trx) => {
      const row = await this.lock(trx, id);
      const p = await this.participants(trx, id);
      const mine: { kind: PartyKind; id: string }[] = [];
      if (p.members.some((m) => m.member_id === actor.memberId)) mine.push({ kind: 'member', id: actor.memberId });
      for (const o of p.organisations) {
        if (await this.deps.organisations.isPartnerOf(trx, o.organisation_id, actor.memberId)) {
          mine.push({ kind: 'organisation', id: o.organisation_id });
        }
      }
      if (mine.length === 0) throw new AppError('forbidden', 'Only the chain group’s parties accept its agreement');
      const v = await repo.findVersion(trx, id, version);
      if (!v) throw AppError.notFound('Agreement version');
      if (version !== row.agreement_version) {
        throw new AppError('conflict', `Version ${version} is not current; version ${row.agreement_version} is`, {
          extra: { currentVersion: row.agreement_version },
        });
      }
      const missing = missingRoles(JSON.parse(v.terms) as AgreementTerms, p);
      if (missing.length > 0) {
        throw new AppError('conflict', `No participant has the role ${missing.join(', ')} any more; a new version is needed`, {
          extra: { missingRoles: missing },
        });
      }
      const given = await repo.listAcceptances(trx, id, version, row.party_revision);
      const done = new Set(given.map((a) => `${a.party_kind}:${a.party_id}`));
      let added = 0;
      for (const party of mine) {
        if (done.has(`${party.kind}:${party.id}`)) continue;
        const a: AgreementAcceptancesTable = {
          chain_group_id: id,
          version,
          party_revision: row.party_revision,
          party_kind: party.kind,
          party_id: party.id,
          accepted_by: actor.memberId,
          accepted_at: now,
        };
        await repo.insertAcceptance(trx, a);
        done.add(`${party.kind}:${party.id}`);
        added++;
        await this.publish(trx, 'agreement.accepted', id, actor.memberId, { version, party: { kind: party.kind, id: party.id } });
      }
      const everyone = p.members.length + p.organisations.length;
      if (added > 0 && done.size === everyone) {
        await this.publish(trx, 'agreement.accepted-by-all', id, actor.memberId, { version, parties: everyone });
      }
    });
    return this.getAgreement(id);
  }

  private async agreementOf(ex: Executor, row: ChainGroupsTable): Promise<AgreementView> {
    if (row.agreement_version === 0) throw new AppError('not_found', 'This chain group has no agreement yet');
    const v = await repo.findVersion(ex, row.id, row.agreement_version);
    if (!v) throw new AppError('not_found', 'This chain group has no agreement yet');
    const p = await this.participants(ex, row.id);
    const parties = await this.acceptances(ex, row, p);
    const terms = JSON.parse(v.terms) as AgreementTerms;
    return {
      chainGroupId: row.id,
      version: v.version,
      terms,
      proposedBy: v.proposed_by,
      createdAt: v.created_at,
      acceptedByAll: parties.length > 0 && parties.every((x) => x.accepted) && missingRoles(terms, p).length === 0,
      parties,
    };
  }

  /** The current agreement version with every party's acceptance; not_found before the first. */
  async getAgreement(id: string): Promise<AgreementView> {
    const ex = this.deps.db.kysely;
    return this.agreementOf(ex, await this.require(ex, id));
  }

  /** Every version of the agreement, newest first. */
  async listAgreementVersions(id: string) {
    const ex = this.deps.db.kysely;
    const row = await this.require(ex, id);
    return (await repo.listVersions(ex, id)).map((v) => ({
      chainGroupId: id,
      version: v.version,
      current: v.version === row.agreement_version,
      terms: JSON.parse(v.terms) as AgreementTerms,
      proposedBy: v.proposed_by,
      createdAt: v.created_at,
    }));
  }

  /**
   * What a sale of the chain group is shared by: the terms of agreement `version` and the parties
   * holding a role now who accepted that version (members and organisations; one added since, who
   * never accepted it, takes no part), read through `ex`; null when the version does not exist.
   * @example const basis = await chainGroups.sharingBasis(trx, c.chainGroupId, c.agreementVersion);
   */
  async sharingBasis(
    ex: Executor,
    chainGroupId: string,
    version: number,
  ): Promise<{ terms: AgreementTerms; participants: { kind: 'member' | 'organisation'; id: string; role: string }[] } | null> {
    const v = await repo.findVersion(ex, chainGroupId, version);
    if (!v) return null;
    const p = await this.participants(ex, chainGroupId);
    const accepted = new Set(
      (await repo.partiesThatAccepted(ex, chainGroupId, version)).map((a) => `${a.party_kind}:${a.party_id}`),
    );
    return {
      terms: JSON.parse(v.terms) as AgreementTerms,
      participants: [
        ...p.members.map((m) => ({ kind: 'member' as const, id: m.member_id, role: m.role })),
        ...p.organisations.map((o) => ({ kind: 'organisation' as const, id: o.organisation_id, role: o.role })),
      ].filter((x) => accepted.has(`${x.kind}:${x.id}`)),
    };
  }

  /**
   * The agreement a campaign launches on: the current version if every party accepted it, else a
   * conflict. Runs in the caller's transaction and locks the chain group, so the agreement cannot
   * change until that transaction ends.
   * @example const agreement = await chainGroups.agreementForLaunch(trx, campaign.chainGroupId);
   */
  async agreementForLaunch(ex: Executor, chainGroupId: string): Promise<AgreementView> {
    const row = await this.lock(ex, chainGroupId);
    if (row.agreement_version === 0) {
      throw new AppError('conflict', 'The chain group has no agreement yet', { extra: { reason: 'no-agreement' } });
    }
    const p = await this.participants(ex, chainGroupId);
    const v = (await repo.findVersion(ex, chainGroupId, row.agreement_version))!;
    const terms = JSON.parse(v.terms) as AgreementTerms;
    const given = await repo.listAcceptances(ex, chainGroupId, row.agreement_version, row.party_revision);
    const done = new Set(given.map((a) => `${a.party_kind}:${a.party_id}`));
    const pending = [
      ...p.members.filter((m) => !done.has(`member:${m.member_id}`)).map((m) => ({ kind: 'member', id: m.member_id })),
      ...p.organisations
        .filter((o) => !done.has(`organisation:${o.organisation_id}`))
        .map((o) => ({ kind: 'organisation', id: o.organisation_id })),
    ];
    const everyone = p.members.length + p.organisations.length;
    if (everyone === 0 || pending.length > 0 || missingRoles(terms, p).length > 0) {
      throw new AppError('conflict', `Agreement version ${row.agreement_version} is not accepted by every party`, {
        extra: { reason: 'agreement-pending', version: row.agreement_version, pending },
      });
    }
    const byParty = new Map(given.map((a) => [`${a.party_kind}:${a.party_id}`, a]));
    const party = (kind: PartyKind, id: string, role: string): PartyAcceptance => {
      const a = byParty.get(`${kind}:${id}`)!;
      return { kind, id, name: '', role, accepted: true, acceptedBy: a.accepted_by, acceptedAt: a.accepted_at };
    };
    return {
      chainGroupId,
      version: v.version,
      terms,
      proposedBy: v.proposed_by,
      createdAt: v.created_at,
      acceptedByAll: true,
      parties: [
        ...p.members.map((m) => party('member', m.member_id, m.role)),
        ...p.organisations.map((o) => party('organisation', o.organisation_id, o.role)),
      ],
    };
  }
}
