/**
 * The body of `POST /pushers/set` (pusher.yaml), checked and normalised. A missing required field
 * is 400 `M_MISSING_PARAM`, a field of the wrong type or over its bound 400 `M_INVALID_PARAM`
 * (the spec's 400: "One or more of the pusher values were invalid"). Hearth sends no mail, so an
 * `email` pusher is refused rather than kept and never used.
 */
import { invalidParam, missingParam } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';

/** The spec's bounds: app_id at most 64 characters, pushkey at most 512 bytes. */
export const MAX_APP_ID_LENGTH = 64;
export const MAX_PUSHKEY_BYTES = 512;
/** Hearth's bounds on the strings the spec leaves open, and on `data` as JSON. */
export const MAX_PUSHER_TEXT_LENGTH = 256;
export const MAX_PUSHER_DATA_BYTES = 4096;
/** The path the spec requires of a pusher's URL. */
export const PUSH_GATEWAY_PATH = '/_matrix/push/v1/notify';

export interface PusherKeyFields {
  appId: string;
  pushkey: string;
}

export interface PusherFields extends PusherKeyFields {
  kind: 'http';
  appDisplayName: string;
  deviceDisplayName: string;
  profileTag: string | null;
  lang: string;
  data: JsonObject;
  append: boolean;
}

/** `kind: null` asks to delete the pusher. */
export type PusherRequest = { delete: true; key: PusherKeyFields } | { delete: false; pusher: PusherFields };

export function parsePusherBody(body: unknown): PusherRequest {
  if (!isJsonObject(body)) throw invalidParam('The body must be a JSON object');
  const appId = requiredString(body, 'app_id', MAX_APP_ID_LENGTH);
  const pushkey = requiredString(body, 'pushkey', Infinity);
  if (Buffer.byteLength(pushkey) > MAX_PUSHKEY_BYTES) throw invalidParam(`pushkey may be at most ${MAX_PUSHKEY_BYTES} bytes`);
  if (!('kind' in body)) throw missingParam('Missing parameter: kind');
  const kind = body.kind;
  if (kind === null) return { delete: true, key: { appId, pushkey } };
  if (kind === 'email') throw invalidParam('Email pushers are not supported: this server sends no email');
  if (kind !== 'http') throw invalidParam('kind must be "http" or null');
  const missing = ['app_display_name', 'device_display_name', 'lang', 'data'].filter((k) => body[k] === undefined);
  if (missing.length > 0) throw missingParam(`Missing parameters: ${missing.join(', ')}`);
  if (body.append !== undefined && typeof body.append !== 'boolean') throw invalidParam('append must be a boolean');
  return {
    delete: false,
    pusher: {
      appId, pushkey, kind,
      appDisplayName: requiredString(body, 'app_display_name', MAX_PUSHER_TEXT_LENGTH),
      deviceDisplayName: requiredString(body, 'device_display_name', MAX_PUSHER_TEXT_LENGTH),
      profileTag: body.profile_tag === undefined ? null : requiredString(body, 'profile_tag', MAX_PUSHER_TEXT_LENGTH),
      lang: requiredString(body, 'lang', MAX_PUSHER_TEXT_LENGTH),
      data: httpData(body.data),
      append: body.append === true,
    },
  };
}

function requiredString(body: JsonObject, key: string, maxLength: number): string {
  const value = body[key];
  if (value === undefined) throw missingParam(`Missing parameter: ${key}`);
  if (typeof value !== 'string') throw invalidParam(`${key} must be a string`);
  if (value.length > maxLength) throw invalidParam(`${key} may be at most ${maxLength} characters`);
  return value;
}

/** An http pusher's data: `url` an http(s) URL of the gateway path, `format` absent or event_id_only. */
function httpData(data: unknown): JsonObject {
  if (!isJsonObject(data)) throw invalidParam('data must be an object');
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_PUSHER_DATA_BYTES) throw invalidParam(`data may be at most ${MAX_PUSHER_DATA_BYTES} bytes as JSON`);
  if (data.url === undefined) throw missingParam('Missing parameter: data.url');
  if (typeof data.url !== 'string') throw invalidParam('data.url must be a string');
  let url: URL;
  try {
    url = new URL(data.url);
  } catch {
    throw invalidParam('data.url must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidParam('data.url must be an http or https URL');
  if (url.username !== '' || url.password !== '') throw invalidParam('data.url must not carry credentials');
  if (url.pathname !== PUSH_GATEWAY_PATH) throw invalidParam(`data.url must have the path ${PUSH_GATEWAY_PATH}`);
  if (data.format !== undefined && data.format !== 'event_id_only') throw invalidParam('data.format must be "event_id_only" when given');
  return data;
}
