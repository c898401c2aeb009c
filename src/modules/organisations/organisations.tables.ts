export interface OrganisationsTable {
  id: string;
  slug: string;
  name: string;
  kind: string;
  description: string;
  created_at: string;
}

export interface OrganisationMembersTable {
  organisation_id: string;
  member_id: string;
  added_at: string;
}

export interface OrganisationsTables {
  organisations: OrganisationsTable;
  organisation_members: OrganisationMembersTable;
}
