export type QaResult = 'pending' | 'passed' | 'failed';

export interface LotsTable {
  id: string;
  product_id: string;
  bid_id: string;
  call_id: string;
  organisation_id: string;
  /** Unique within the product. */
  lot_number: string;
  quantity: number;
  /** 'YYYY-MM-DD'. */
  produced_on: string;
  qa_result: QaResult;
  qa_notes: string | null;
  qa_recorded_by: string | null;
  qa_recorded_at: string | null;
  /** Units of orders fulfilled from this lot; never more than `quantity`. */
  units_fulfilled: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface LotShipmentsTable {
  id: string;
  lot_id: string;
  quantity: number;
  carrier: string;
  tracking_number: string | null;
  destination: string;
  shipped_at: string;
  delivered_at: string | null;
  created_by: string;
  delivered_by: string | null;
}

export interface LotsTables {
  lots: LotsTable;
  lot_shipments: LotShipmentsTable;
}
