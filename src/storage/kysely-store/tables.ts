import type { Generated } from 'kysely';
import type { E2eeDatabase } from './e2ee-tables.js';
import type { ServerKeysTable } from './server-keys.js';
import type { MediaTable, MediaThumbnailsTable } from './media.js';
import type { PushDatabase } from './push-tables.js';
import type { EventSearchTable, ReportsTable } from './search.js';
import type { AccountDataTable, FiltersTable, PresenceTable, PushRulesTable, ReceiptsTable, StreamCountersTable } from './sync-tables.js';

/** Row types of every table, as Kysely sees them. Booleans are stored as 0/1 integers on both dialects. */
export interface UsersTable {
  user_id: string;
  password_hash: string | null;
  is_admin: number;
  deactivated: number;
  displayname: string | null;
  avatar_url: string | null;
  created_ts: number;
  erased: Generated<number>;
  suspended: Generated<number>;
  locked: Generated<number>;
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
  valid_until_ts: number | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  user_id: string;
  device_id: string;
  /** The access token issued with it, retired when it is used. */
  access_token_hash: string;
  created_ts: number;
}

export interface OpenIdTokensTable {
  token_hash: string;
  user_id: string;
  valid_until_ts: number;
}

export interface UiaSessionsTable {
  session_id: string;
  purpose: string;
  user_id: string | null;
  completed: string;
  created_ts: number;
}

export interface Database extends E2eeDatabase, PushDatabase {
  users: UsersTable;
  devices: DevicesTable;
  access_tokens: AccessTokensTable;
  refresh_tokens: RefreshTokensTable;
  openid_tokens: OpenIdTokensTable;
  uia_sessions: UiaSessionsTable;
  rooms: RoomsTable;
  events: EventsTable;
  state_entries: StateEntriesTable;
  memberships: MembershipsTable;
  event_txns: EventTxnsTable;
  room_aliases: RoomAliasesTable;
  stream_counters: StreamCountersTable;
  account_data: AccountDataTable;
  receipts: ReceiptsTable;
  presence: PresenceTable;
  filters: FiltersTable;
  push_rules: PushRulesTable;
  server_keys: ServerKeysTable;
  federation_outbox: FederationOutboxTable;
  invite_room_state: InviteRoomStateTable;
  media: MediaTable;
  media_thumbnails: MediaThumbnailsTable;
  registration_tokens: RegistrationTokensTable;
  room_blocks: RoomBlocksTable;
  admin_jobs: AdminJobsTable;
  event_relations: EventRelationsTable;
  event_search: EventSearchTable;
  reports: ReportsTable;
}

export interface RegistrationTokensTable {
  token: string;
  uses_allowed: number | null;
  pending: Generated<number>;
  completed: Generated<number>;
  expiry_time: number | null;
}

export interface RoomBlocksTable {
  room_id: string;
  blocked_by: string;
  blocked_ts: number;
}

export interface AdminJobsTable {
  id: string;
  kind: string;
  room_id: string;
  params: string;
  status: string;
  error: string | null;
  result: string | null;
  lease_until: number;
  created_ts: number;
  updated_ts: number;
}

export interface EventRelationsTable {
  event_id: string;
  room_id: string;
  relates_to_id: string;
  rel_type: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  stream_pos: number;
  is_state: number;
}

export interface FederationOutboxTable {
  id: Generated<number>;
  supersede_key: string;
  kind: string;
  destinations: string;
  payload: string;
  attempts: Generated<number>;
  next_attempt_ts: number;
  last_error: string | null;
  created_ts: number;
}

export interface RoomsTable {
  room_id: string;
  room_version: string;
  creator: string;
  is_public: number;
  created_ts: number;
  out_of_band: Generated<number>;
}

export interface InviteRoomStateTable {
  room_id: string;
  user_id: string;
  events_json: string;
}

export interface EventsTable {
  stream_pos: Generated<number>;
  event_id: string;
  room_id: string;
  type: string;
  state_key: string | null;
  sender: string;
  depth: number;
  origin_server_ts: number;
  membership: string | null;
  json: string;
  prev_state_json: string | null;
  redacted_by: string | null;
}

export interface StateEntriesTable {
  room_id: string;
  type: string;
  state_key: string;
  event_id: string;
  from_pos: number;
  to_pos: number | null;
}

export interface MembershipsTable {
  room_id: string;
  user_id: string;
  membership: string;
  event_id: string;
  stream_pos: number;
  forgotten: number;
  forgotten_ts: number | null;
}

export interface EventTxnsTable {
  user_id: string;
  device_id: string;
  scope: string;
  txn_id: string;
  event_id: string;
  created_ts: number;
}

export interface RoomAliasesTable {
  alias: string;
  room_id: string;
  creator: string;
  created_ts: number;
}
