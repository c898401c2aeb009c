export interface BidCallsTable {
  id: string;
  need_id: string;
  quantity: number;
  /** Integer minor units. */
  target_unit_price: number;
  currency: string;
  /** ISO 8601 UTC; bids are taken until then. */
  deadline: string;
  requirements: string;
  /** `open` until awarded (its deadline passing makes it closed to bids, not awarded). */
  status: 'open' | 'awarded';
  created_by: string;
  created_at: string;
  awarded_by: string | null;
  awarded_at: string | null;
  awarded_quantity: number | null;
}

export type BidStatus = 'live' | 'withdrawn' | 'awarded' | 'lost';

export interface BidsTable {
  id: string;
  call_id: string;
  organisation_id: string;
  /** Integer minor units. */
  unit_cost: number;
  currency: string;
  min_quantity: number;
  max_quantity: number;
  lead_time_days: number;
  capacity_per_week: number;
  /** 0 or 1. */
  sample_offered: number;
  notes: string;
  status: BidStatus;
  awarded_quantity: number | null;
  submitted_by: string;
  created_at: string;
  updated_at: string;
}

export interface BidsTables {
  bid_calls: BidCallsTable;
  bids: BidsTable;
}
