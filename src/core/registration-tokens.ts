import { invalidParam } from './errors.js';
import type { JsonObject } from './json.js';

/**
 * Registration tokens created through the admin API (Synapse's registration_tokens.md): what a
 * token may look like, which bodies are valid, and when a token is valid. Every invalid value is
 * 400 M_INVALID_PARAM, as Synapse answers.
 */

export const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-';
export const MAX_TOKEN_LENGTH = 64;
export const DEFAULT_TOKEN_LENGTH = 16;
const TOKEN = /^[A-Za-z0-9._~-]{1,64}$/;

export function isWellFormedToken(token: string): boolean {
  return TOKEN.test(token);
}

export interface NewTokenRequest {
  /** Absent: the server makes one of `length` characters. */
  token?: string;
  length: number;
  usesAllowed: number | null;
  expiryTime: number | null;
}

export interface TokenChanges {
  usesAllowed?: number | null;
  expiryTime?: number | null;
}

/** `POST /registration_tokens/new`'s body; `now` for the rule that a new token does not expire in the past. */
export function parseNewToken(body: JsonObject, now: number): NewTokenRequest {
  const out: NewTokenRequest = {
    length: DEFAULT_TOKEN_LENGTH,
    usesAllowed: nullableCount(body, 'uses_allowed') ?? null,
    expiryTime: expiry(body, now) ?? null,
  };
  if (body.token !== undefined) {
    if (typeof body.token !== 'string' || !isWellFormedToken(body.token)) {
      throw invalidParam(`token must be 1 to ${MAX_TOKEN_LENGTH} characters of A-Z, a-z, 0-9, ".", "_", "~" and "-"`);
    }
    out.token = body.token;
  }
  if (body.length !== undefined && body.length !== null) {
    if (!isCount(body.length) || body.length < 1 || body.length > MAX_TOKEN_LENGTH) throw invalidParam(`length must be an integer from 1 to ${MAX_TOKEN_LENGTH}`);
    out.length = body.length;
  }
  return out;
}

/** `PUT /registration_tokens/{token}`'s body: only the fields given change (null: unlimited, never expires). */
export function parseTokenChanges(body: JsonObject, now: number): TokenChanges {
  const out: TokenChanges = {};
  const uses = nullableCount(body, 'uses_allowed');
  if (uses !== undefined) out.usesAllowed = uses;
  const expires = expiry(body, now);
  if (expires !== undefined) out.expiryTime = expires;
  return out;
}

/** Valid at `now`: not expired, and uses left once the pending ones complete. */
export function isTokenUsable(t: { usesAllowed: number | null; pending: number; completed: number; expiryTime: number | null }, now: number): boolean {
  return (t.usesAllowed === null || t.pending + t.completed < t.usesAllowed) && (t.expiryTime === null || t.expiryTime > now);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** undefined when absent, null when null, else a non-negative integer. */
function nullableCount(body: JsonObject, key: string): number | null | undefined {
  const v = body[key];
  if (v === undefined || v === null) return v;
  if (!isCount(v)) throw invalidParam(`${key} must be a non-negative integer or null`);
  return v;
}

function expiry(body: JsonObject, now: number): number | null | undefined {
  const v = nullableCount(body, 'expiry_time');
  if (typeof v === 'number' && v < now) throw invalidParam('expiry_time must not be in the past');
  return v;
}
