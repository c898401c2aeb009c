export interface NeedsTable {
  id: string;
  scene_id: string;
  community_id: string;
  author_id: string;
  title: string;
  body: string;
  stage: string;
  support_count: number;
  intent_supporters: number;
  intent_quantity: number;
  /** JSON array of { goal, days }: the community's ladder when the need was raised. */
  milestones: string;
  milestone_index: number;
  milestone_deadline: string | null;
  merged_into: string | null;
  chosen_solution_id: string | null;
  review_decision: string | null;
  review_reason: string | null;
  reviewed_at: string | null;
  reviewed_by: string | null;
  solution_count: number;
  comment_count: number;
  created_at: string;
  /** Seconds since 1970 of created_at, for the hot ranking's arithmetic on both backends. */
  created_epoch: number;
  stage_changed_at: string;
}

export interface NeedSupportsTable {
  need_id: string;
  member_id: string;
  created_at: string;
  intent_quantity: number | null;
  intent_max_unit_price: number | null;
  intent_currency: string | null;
}

export interface NeedsTables {
  needs: NeedsTable;
  need_supports: NeedSupportsTable;
}
