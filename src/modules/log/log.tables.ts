export interface LogEntriesTable {
  idx: number;
  /** Canonical JSON; its UTF-8 bytes are the leaf input. */
  leaf_input: string;
  leaf_hash: Buffer;
  kind: string;
  occurred_at: string;
}

/** Complete subtrees of level ≥ 1; `id` is level·2^46 + index (see `nodeKey`). */
export interface LogNodesTable {
  id: number;
  hash: Buffer;
}

export interface LogEntryRefsTable {
  ref: string;
  idx: number;
  role: 'actor' | 'credited' | 'subject';
  kind: string;
}

export interface LogHeadsTable {
  tree_size: number;
  root_hash: Buffer;
  timestamp: number;
  signature: Buffer;
}

export interface LogStateTable {
  id: number;
  size: number;
  /** JSON array of hex hashes. */
  frontier: string;
  public_key: string | null;
}

export interface LogTables {
  log_entries: LogEntriesTable;
  log_nodes: LogNodesTable;
  log_entry_refs: LogEntryRefsTable;
  log_heads: LogHeadsTable;
  log_state: LogStateTable;
}
