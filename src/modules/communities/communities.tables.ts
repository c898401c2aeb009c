export interface CommunitiesTable {
  id: string;
  slug: string;
  name: string;
  description: string;
  /** JSON array of { goal, days }. */
  milestones: string;
  member_count: number;
  created_at: string;
  updated_at: string;
}

export interface CommunityMembersTable {
  community_id: string;
  member_id: string;
  joined_at: string;
}

export interface CommunitiesTables {
  communities: CommunitiesTable;
  community_members: CommunityMembersTable;
}
