/**
 * /sync's `next_batch`: one position per stream,
 * `s<events>_<accountData>_<receipts>_<presence>_<typing>_<toDevice>_<deviceLists>`.
 * The first part is also a valid /messages token (every event at or before it). Tokens of five
 * parts (before the to-device and device-list streams existed) still parse, with those two at 0.
 */
export interface SyncToken {
  events: number;
  accountData: number;
  receipts: number;
  presence: number;
  typing: number;
  toDevice: number;
  deviceLists: number;
}

export const ZERO_TOKEN: SyncToken = { events: 0, accountData: 0, receipts: 0, presence: 0, typing: 0, toDevice: 0, deviceLists: 0 };

export function formatSyncToken(t: SyncToken): string {
  return `s${t.events}_${t.accountData}_${t.receipts}_${t.presence}_${t.typing}_${t.toDevice}_${t.deviceLists}`;
}

/** Parses a sync token; a bare `s<pos>` or `t<pos>` (e.g. a /messages token) sets only the event stream. */
export function parseSyncToken(raw: string): SyncToken | undefined {
  const m = /^[st](\d{1,15})(?:_(\d{1,15})_(\d{1,15})_(\d{1,15})_(\d{1,15})(?:_(\d{1,15})_(\d{1,15}))?)?$/.exec(raw);
  if (!m) return undefined;
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  return {
    events: n(m[1]), accountData: n(m[2]), receipts: n(m[3]), presence: n(m[4]), typing: n(m[5]),
    toDevice: n(m[6]), deviceLists: n(m[7]),
  };
}
