export interface ChainGroupsTable {
  id: string;
  need_id: string;
  name: string;
  /** `active`; one active chain group per need. */
  status: string;
  formed_by: string;
  /** The current agreement version; 0 before the first. */
  agreement_version: number;
  /** Grows with every change of the participants; acceptances given before a change no longer count. */
  party_revision: number;
  created_at: string;
  updated_at: string;
}

export interface ChainGroupMembersTable {
  chain_group_id: string;
  member_id: string;
  role: string;
  added_at: string;
}

export interface ChainGroupOrganisationsTable {
  chain_group_id: string;
  organisation_id: string;
  role: string;
  added_at: string;
}

export interface AgreementVersionsTable {
  chain_group_id: string;
  version: number;
  /** AgreementTerms as JSON. */
  terms: string;
  proposed_by: string;
  created_at: string;
}

export interface AgreementAcceptancesTable {
  chain_group_id: string;
  version: number;
  party_revision: number;
  party_kind: 'member' | 'organisation';
  party_id: string;
  accepted_by: string;
  accepted_at: string;
}

export interface ChainGroupsTables {
  chain_groups: ChainGroupsTable;
  chain_group_members: ChainGroupMembersTable;
  chain_group_organisations: ChainGroupOrganisationsTable;
  agreement_versions: AgreementVersionsTable;
  agreement_acceptances: AgreementAcceptancesTable;
}
