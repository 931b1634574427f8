import type { Generated } from 'kysely';

/** Row types of the tables of migrations 004 (end-to-end encryption) and 007 (key backups). */
export interface E2eeDatabase {
  e2e_device_keys: E2eDeviceKeysTable;
  e2e_one_time_keys: E2eOneTimeKeysTable;
  e2e_fallback_keys: E2eFallbackKeysTable;
  e2e_cross_signing_keys: E2eCrossSigningKeysTable;
  e2e_to_device_inbox: E2eToDeviceInboxTable;
  e2e_to_device_txns: E2eToDeviceTxnsTable;
  e2e_device_list_changes: E2eDeviceListChangesTable;
  e2e_room_key_versions: E2eRoomKeyVersionsTable;
  e2e_room_keys: E2eRoomKeysTable;
}

export interface E2eDeviceKeysTable {
  user_id: string;
  device_id: string;
  json: string;
}

export interface E2eOneTimeKeysTable {
  seq: Generated<number>;
  user_id: string;
  device_id: string;
  algorithm: string;
  key_id: string;
  json: string;
}

export interface E2eFallbackKeysTable {
  user_id: string;
  device_id: string;
  algorithm: string;
  key_id: string;
  json: string;
  used: number;
}

export interface E2eCrossSigningKeysTable {
  user_id: string;
  key_type: string;
  json: string;
}

export interface E2eToDeviceInboxTable {
  user_id: string;
  device_id: string;
  stream_pos: number;
  sender: string;
  type: string;
  content: string;
  /** When it was queued; null for messages queued before migration 006. */
  created_ts: number | null;
}

export interface E2eToDeviceTxnsTable {
  user_id: string;
  device_id: string;
  txn_id: string;
  created_ts: number;
}

export interface E2eDeviceListChangesTable {
  user_id: string;
  stream_pos: number;
}

export interface E2eRoomKeyVersionsTable {
  user_id: string;
  version: number;
  algorithm: string;
  auth_data: string;
  etag: Generated<number>;
  key_count: Generated<number>;
  deleted: Generated<number>;
}

export interface E2eRoomKeysTable {
  user_id: string;
  version: number;
  room_id: string;
  session_id: string;
  first_message_index: number;
  forwarded_count: number;
  is_verified: number;
  session_data: string;
}
