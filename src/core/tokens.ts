/**
 * Pagination and sync tokens. Opaque to clients; here `s<pos>` (optionally followed by `_…`
 * parts that /sync adds for its other streams) or `t<pos>`: every room event at or before
 * stream position `pos` is "before" the token.
 */
export function formatEventToken(pos: number): string {
  return `t${pos}`;
}

/** The event position a token stands for, or undefined when it is not one of ours. */
export function eventPosOfToken(token: string): number | undefined {
  const m = /^[st](\d{1,15})(?:_[0-9_]*)?$/.exec(token);
  if (!m) return undefined;
  const pos = Number(m[1]);
  return Number.isSafeInteger(pos) ? pos : undefined;
}
