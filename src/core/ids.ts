/**
 * Matrix identifiers, branded so that a raw string from a request cannot reach a service
 * without being parsed once at the edge. Grammar: the spec's appendices ("Identifier grammar").
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Brand<string, 'UserId'>;
export type RoomId = Brand<string, 'RoomId'>;
export type EventId = Brand<string, 'EventId'>;
export type RoomAlias = Brand<string, 'RoomAlias'>;
export type DeviceId = Brand<string, 'DeviceId'>;
export type ServerName = Brand<string, 'ServerName'>;

/** Identifiers (with sigil and domain) are at most 255 bytes. */
export const MAX_ID_BYTES = 255;

const SERVER_NAME = /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*)(?::[0-9]{1,5})?$/;
/** Localparts of users created here: the spec's current grammar (no upper case). */
const NEW_LOCALPART = /^[a-z0-9._=\-/+]+$/;
/** Localparts we accept from others: the historical grammar (printable ASCII except ':'). */
const HISTORICAL_LOCALPART = /^[\x21-\x39\x3b-\x7e]+$/;
const OPAQUE_LOCALPART = /^[\x21-\x39\x3b-\x7e]+$/;

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export function isValidServerName(name: string): name is ServerName {
  if (!SERVER_NAME.test(name)) return false;
  const port = name.match(/:(\d+)$/);
  if (port && !name.startsWith('[') && Number(port[1]) > 65535) return false;
  return true;
}

function splitId(raw: string, sigil: string): { localpart: string; domain: string } | undefined {
  if (typeof raw !== 'string' || !raw.startsWith(sigil) || byteLength(raw) > MAX_ID_BYTES) return undefined;
  const colon = raw.indexOf(':');
  if (colon < 2) return undefined;
  const localpart = raw.slice(1, colon);
  const domain = raw.slice(colon + 1);
  if (!isValidServerName(domain)) return undefined;
  return { localpart, domain };
}

export function parseUserId(raw: string): UserId | undefined {
  const parts = splitId(raw, '@');
  if (!parts || !HISTORICAL_LOCALPART.test(parts.localpart)) return undefined;
  return raw as UserId;
}

export function parseRoomId(raw: string): RoomId | undefined {
  const parts = splitId(raw, '!');
  if (!parts || !OPAQUE_LOCALPART.test(parts.localpart)) return undefined;
  return raw as RoomId;
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function parseRoomAlias(raw: string): RoomAlias | undefined {
  const parts = splitId(raw, '#');
  // No white space or control characters (NUL included) in an alias.
  if (!parts || parts.localpart.length === 0 || /\s/.test(parts.localpart) || hasControlCharacter(parts.localpart)) return undefined;
  return raw as RoomAlias;
}

/** Event IDs of room versions 4+: `$` followed by unpadded URL-safe base64 of a SHA-256 (43 chars). */
export function parseEventId(raw: string): EventId | undefined {
  if (typeof raw !== 'string' || !raw.startsWith('$') || byteLength(raw) > MAX_ID_BYTES) return undefined;
  if (!/^\$[A-Za-z0-9_\-+/:.=]+$/.test(raw)) return undefined;
  return raw as EventId;
}

export function parseDeviceId(raw: string): DeviceId | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || byteLength(raw) > MAX_ID_BYTES) return undefined;
  if (!/^[\x21-\x7e]+$/.test(raw)) return undefined;
  return raw as DeviceId;
}

/** Whether a localpart may be used for a new account here; returns a reason when it may not. */
export function checkNewLocalpart(localpart: string, serverName: string): string | undefined {
  if (localpart.length === 0) return 'User ID cannot be empty';
  if (!NEW_LOCALPART.test(localpart)) {
    return 'User ID may only contain the characters a-z, 0-9, ".", "_", "=", "-", "/" and "+"';
  }
  if (byteLength(`@${localpart}:${serverName}`) > MAX_ID_BYTES) return 'User ID is too long';
  return undefined;
}

export function makeUserId(localpart: string, serverName: string): UserId {
  return `@${localpart}:${serverName}` as UserId;
}

export function domainOf(id: string): string {
  return id.slice(id.indexOf(':') + 1);
}

export function localpartOf(id: string): string {
  return id.slice(1, id.indexOf(':'));
}
