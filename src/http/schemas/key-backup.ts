/** Request schemas of server-side key backups (key_backup.yaml), named after the spec's operations. */
const count = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** definitions/key_backup_data.yaml */
const KeyBackupData = {
  type: 'object',
  required: ['first_message_index', 'forwarded_count', 'is_verified', 'session_data'],
  properties: { first_message_index: count, forwarded_count: count, is_verified: { type: 'boolean' }, session_data: { type: 'object' } },
} as const;

/** definitions/room_key_backup.yaml; session IDs are checked by the service. */
const RoomKeyBackup = {
  type: 'object',
  required: ['sessions'],
  properties: { sessions: { type: 'object', additionalProperties: KeyBackupData } },
} as const;

export const PostRoomKeysVersionBody = {
  type: 'object',
  required: ['algorithm', 'auth_data'],
  properties: { algorithm: { type: 'string' }, auth_data: { type: 'object' } },
} as const;

export const PutRoomKeysVersionBody = {
  ...PostRoomKeysVersionBody,
  properties: { ...PostRoomKeysVersionBody.properties, version: { type: 'string' } },
} as const;

/** `{version}` in the path of `/room_keys/version/{version}`, and `?version=` of every `/room_keys/keys` operation. */
export const RoomKeysVersion = {
  type: 'object',
  required: ['version'],
  properties: { version: { type: 'string' } },
} as const;

export const RoomKeysRoomParams = {
  type: 'object',
  required: ['roomId'],
  properties: { roomId: { type: 'string' } },
} as const;

export const RoomKeysSessionParams = {
  type: 'object',
  required: ['roomId', 'sessionId'],
  properties: { roomId: { type: 'string' }, sessionId: { type: 'string' } },
} as const;

export const PutRoomKeysBody = {
  type: 'object',
  required: ['rooms'],
  properties: { rooms: { type: 'object', additionalProperties: RoomKeyBackup } },
} as const;

export const PutRoomKeysByRoomIdBody = RoomKeyBackup;

export const PutRoomKeyBySessionIdBody = KeyBackupData;
