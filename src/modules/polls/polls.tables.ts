export interface PollsTable {
  id: string;
  need_id: string | null;
  solution_id: string | null;
  question: string;
  /** JSON: `[{ id, text, imageUrl }]`. */
  options: string;
  mode: 'single' | 'multiple';
  max_choices: number;
  opens_at: string;
  closes_at: string;
  results_visibility: 'live' | 'after_close';
  decided_option_id: string | null;
  decided_at: string | null;
  decided_by: string | null;
  created_by: string;
  created_at: string;
}

export interface PollBallotsTable {
  poll_id: string;
  member_id: string;
  cast_at: string;
  updated_at: string;
}

/** One row per option a ballot chooses: counts are `GROUP BY option_id`, exact by construction. */
export interface PollChoicesTable {
  poll_id: string;
  member_id: string;
  option_id: string;
}

export interface PollsTables {
  polls: PollsTable;
  poll_ballots: PollBallotsTable;
  poll_choices: PollChoicesTable;
}
