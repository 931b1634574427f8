/** Parses durations such as `500ms`, `30s`, `5m`, `12h`, `7d`, `2w` (or a bare number of milliseconds). */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(value);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2] ?? 'ms']!;
  return Number.isSafeInteger(Math.round(ms)) ? Math.round(ms) : undefined;
}
