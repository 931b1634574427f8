/** Request schemas of end-to-end encryption and send-to-device, named after the spec's operations. */
const str = { type: 'string' } as const;
const id = { type: 'string', maxLength: 255 } as const;

/** `signatures`: user ID -> key ID -> signature. */
const Signatures = { type: 'object', additionalProperties: { type: 'object', additionalProperties: str } } as const;

/** definitions/device_keys.yaml */
const DeviceKeys = {
  type: 'object',
  required: ['user_id', 'device_id', 'algorithms', 'keys', 'signatures'],
  properties: {
    user_id: id,
    device_id: id,
    algorithms: { type: 'array', items: str },
    keys: { type: 'object', additionalProperties: str },
    signatures: Signatures,
  },
} as const;

/** definitions/one_time_keys.yaml: `<algorithm>:<key_id>` -> a key string or a signed key object. */
const OneTimeKeys = {
  type: 'object',
  additionalProperties: {
    anyOf: [str, { type: 'object', required: ['key', 'signatures'], properties: { key: str, signatures: { type: 'object' } } }],
  },
} as const;

/** definitions/cross_signing_key.yaml */
const CrossSigningKey = {
  type: 'object',
  required: ['user_id', 'usage', 'keys'],
  properties: {
    user_id: id,
    usage: { type: 'array', items: { type: 'string', enum: ['master', 'self_signing', 'user_signing'] } },
    keys: { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: str },
    signatures: Signatures,
  },
} as const;

/** A map keyed by user ID. Keys are parsed (and bad ones refused) by the route. */
const byUser = (value: object) => ({ type: 'object', additionalProperties: value }) as const;

export const UploadKeysBody = {
  type: 'object',
  properties: { device_keys: DeviceKeys, one_time_keys: OneTimeKeys, fallback_keys: OneTimeKeys },
} as const;

export const QueryKeysBody = {
  type: 'object',
  required: ['device_keys'],
  properties: { timeout: { type: 'integer' }, device_keys: byUser({ type: 'array', items: id }) },
} as const;

export const ClaimKeysBody = {
  type: 'object',
  required: ['one_time_keys'],
  properties: { timeout: { type: 'integer' }, one_time_keys: byUser({ type: 'object', additionalProperties: str }) },
} as const;

export const GetKeysChangesQuery = {
  type: 'object',
  required: ['from', 'to'],
  properties: { from: { type: 'string', maxLength: 256 }, to: { type: 'string', maxLength: 256 } },
} as const;

export const UploadCrossSigningKeysBody = {
  type: 'object',
  properties: { master_key: CrossSigningKey, self_signing_key: CrossSigningKey, user_signing_key: CrossSigningKey, auth: { type: 'object' } },
} as const;

export const UploadCrossSigningSignaturesBody = byUser({ type: 'object', additionalProperties: { type: 'object' } });

export const SendToDeviceParams = {
  type: 'object',
  required: ['eventType', 'txnId'],
  properties: { eventType: { type: 'string', minLength: 1, maxLength: 255 }, txnId: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export const SendToDeviceBody = {
  type: 'object',
  required: ['messages'],
  properties: { messages: byUser({ type: 'object', additionalProperties: { type: 'object' } }) },
} as const;
