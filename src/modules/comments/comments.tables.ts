export interface CommentsTable {
  id: string;
  need_id: string | null;
  solution_id: string | null;
  parent_id: string | null;
  author_id: string;
  body: string;
  /** JSON array of { id, displayName }. */
  mentions: string;
  hidden: number;
  deleted: number;
  created_at: string;
  edited_at: string | null;
}

export interface CommentsTables {
  comments: CommentsTable;
}
