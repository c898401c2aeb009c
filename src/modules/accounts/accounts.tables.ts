export interface MembersTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

export interface MemberRolesTable {
  member_id: string;
  role: string;
  granted_at: string;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  member_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  member_id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AccountsTables {
  members: MembersTable;
  member_roles: MemberRolesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
}
