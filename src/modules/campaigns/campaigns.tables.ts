export interface CampaignsTable {
  id: string;
  product_id: string;
  need_id: string;
  chain_group_id: string;
  title: string;
  description: string;
  mode: string;
  state: string;
  quantity: number;
  sold: number;
  sold_amount: number;
  /** JSON number[]: units held per price tier. */
  tier_sold: string;
  first_claim_sold: number;
  /** JSON StoredTier[]. */
  price_tiers: string;
  currency: string;
  per_member_limit: number | null;
  starts_at: string;
  ends_at: string;
  goal_units: number | null;
  goal_amount: number | null;
  first_claim_minutes: number;
  first_claim_units: number;
  first_claim_units_minutes: number | null;
  payment_timeout_minutes: number;
  agreement_version: number | null;
  outcome: string | null;
  /** JSON StoredDraw or null. */
  trial_draw: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  launched_at: string | null;
  ended_at: string | null;
  settled_at: string | null;
}

export interface OrdersTable {
  id: string;
  campaign_id: string;
  product_id: string;
  member_id: string;
  quantity: number;
  /** JSON StoredLine[]. */
  lines: string;
  total: number;
  currency: string;
  state: string;
  capture: 'capture' | 'authorise' | 'none';
  refunded_amount: number;
  restocked: number;
  idempotency_key: string;
  request_hash: string;
  first_claim: number;
  trial: number;
  expires_at: string | null;
  payment_pending: number;
  /** JSON Shipping or null. */
  shipping: string | null;
  maker_organisation_id: string | null;
  lot: string | null;
  carrier: string | null;
  tracking_number: string | null;
  fulfilled_by: string | null;
  fulfilled_at: string | null;
  paid_at: string | null;
  delivered_at: string | null;
  completed_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface TrialApplicationsTable {
  id: string;
  campaign_id: string;
  member_id: string;
  motivation: string;
  usage: string;
  household_size: number | null;
  state: 'applied' | 'selected' | 'not_selected' | 'withdrawn';
  order_id: string | null;
  created_at: string;
  decided_at: string | null;
}

export interface TrialFeedbackTable {
  order_id: string;
  campaign_id: string;
  member_id: string;
  rating: number;
  would_buy: 'yes' | 'maybe' | 'no';
  liked: string;
  improve: string;
  created_at: string;
}

export interface CampaignsTables {
  campaigns: CampaignsTable;
  orders: OrdersTable;
  trial_applications: TrialApplicationsTable;
  trial_feedback: TrialFeedbackTable;
}
