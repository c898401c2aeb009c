export interface ScenesTable {
  id: string;
  community_id: string;
  author_id: string;
  title: string;
  persona: string;
  goal: string;
  pain: string;
  context: string;
  /** JSON array of strings. */
  tags: string;
  need_count: number;
  created_at: string;
}

export interface ScenesTables {
  scenes: ScenesTable;
}
