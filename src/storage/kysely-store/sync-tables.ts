/** Row types of the tables of migration 003 (account data, receipts, presence, filters, push rules). */
export interface StreamCountersTable {
  name: string;
  value: number;
}

export interface AccountDataTable {
  user_id: string;
  /** '' for global account data. */
  room_id: string;
  type: string;
  content: string;
  stream_pos: number;
  /** UTF-8 bytes of `content` (migration 013), summed by the quotas. */
  content_bytes: number;
}

export interface ReceiptsTable {
  room_id: string;
  user_id: string;
  receipt_type: string;
  /** '' for an unthreaded receipt. */
  thread_id: string;
  event_id: string;
  ts: number;
  stream_pos: number;
}

export interface PresenceTable {
  user_id: string;
  presence: string;
  status_msg: string | null;
  last_active_ts: number;
  stream_pos: number;
}

export interface FiltersTable {
  user_id: string;
  filter_id: string;
  json: string;
}

export interface PushRulesTable {
  user_id: string;
  json: string;
}
