export interface NotificationsTable {
  id: string;
  member_id: string;
  kind: string;
  /** JSON: the ids and figures the message names. */
  payload: string;
  event_id: number;
  created_at: string;
  read_at: string | null;
}

export interface NotificationsTables {
  notifications: NotificationsTable;
}
