import { canonicalJson } from './canonical-json.js';

/** Events are at most 64 KiB as canonical JSON (spec: "Size limits"), whoever built them. */
export const MAX_EVENT_BYTES = 65536;

const utf8 = new TextEncoder();

export function isOversizedEvent(event: object): boolean {
  return utf8.encode(canonicalJson(event)).length > MAX_EVENT_BYTES;
}
