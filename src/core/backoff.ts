/**
 * When to try again after a failed delivery to another server or a push gateway: doubling from
 * `initialMs` up to `maxMs`. `jitter` (0 to 1, drawn by the caller: core has no randomness)
 * spreads retries of many items over the last quarter of the delay, so a peer that comes back is
 * not hit by every queued item at the same instant.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export function retryDelayMs(policy: BackoffPolicy, failures: number, jitter: number): number {
  if (failures < 1) return 0;
  const exponent = Math.min(failures - 1, 52);
  const full = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  const spread = Math.min(Math.max(jitter, 0), 1);
  return Math.round(full * (0.75 + 0.25 * spread));
}
