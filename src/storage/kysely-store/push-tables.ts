/** Row types of the tables of migration 018 (pushers, notifications, push progress). */
export interface PushersTable {
  user_id: string;
  app_id: string;
  pushkey: string;
  device_id: string;
  kind: string;
  app_display_name: string;
  device_display_name: string;
  profile_tag: string | null;
  lang: string;
  data: string;
  pushkey_ts: number;
  delivered_pos: number;
  failures: number;
  next_attempt_ts: number;
}

export interface NotificationsTable {
  user_id: string;
  stream_pos: number;
  room_id: string;
  event_id: string;
  highlight: number;
  actions: string;
  ts: number;
}

export interface PushProgressTable {
  name: string;
  pos: number;
}

export interface PushDatabase {
  pushers: PushersTable;
  notifications: NotificationsTable;
  push_progress: PushProgressTable;
}
