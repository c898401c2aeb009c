export interface ProductsTable {
  id: string;
  need_id: string;
  solution_id: string;
  chain_group_id: string;
  name: string;
  description: string;
  /** JSON string[] of https URLs. */
  images: string;
  /** JSON `StoredSpec[]`: decided poll specs first, then the free ones. */
  specs: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface ProductSkusTable {
  product_id: string;
  code: string;
  name: string;
  /** JSON Record<string, string>. */
  attributes: string;
  position: number;
}

export interface ProductsTables {
  products: ProductsTable;
  product_skus: ProductSkusTable;
}
