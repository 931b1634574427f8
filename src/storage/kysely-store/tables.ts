/** Row types of every table, as Kysely sees them. Booleans are stored as 0/1 integers on both dialects. */
export interface UsersTable {
  user_id: string;
  password_hash: string | null;
  is_admin: number;
  deactivated: number;
  displayname: string | null;
  avatar_url: string | null;
  created_ts: number;
}

export interface DevicesTable {
  user_id: string;
  device_id: string;
  display_name: string | null;
  last_seen_ts: number | null;
  last_seen_ip: string | null;
  created_ts: number;
}

export interface AccessTokensTable {
  token_hash: string;
  user_id: string;
  device_id: string;
  created_ts: number;
}

export interface UiaSessionsTable {
  session_id: string;
  purpose: string;
  user_id: string | null;
  completed: string;
  created_ts: number;
}

export interface Database {
  users: UsersTable;
  devices: DevicesTable;
  access_tokens: AccessTokensTable;
  uia_sessions: UiaSessionsTable;
}
