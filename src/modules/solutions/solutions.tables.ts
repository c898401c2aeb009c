export interface SolutionsTable {
  id: string;
  need_id: string;
  author_id: string;
  organisation_id: string | null;
  title: string;
  body: string;
  version: number;
  vote_count: number;
  created_at: string;
  updated_at: string;
}

export interface SolutionVersionsTable {
  solution_id: string;
  version: number;
  title: string;
  body: string;
  created_at: string;
}

export interface SolutionVotesTable {
  solution_id: string;
  member_id: string;
  created_at: string;
}

export interface SolutionsTables {
  solutions: SolutionsTable;
  solution_versions: SolutionVersionsTable;
  solution_votes: SolutionVotesTable;
}
