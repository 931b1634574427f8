import type { Clock } from '../core/clock.js';

export interface BucketRule {
  perSecond: number;
  burst: number;
}

function bucketId(name: string, key: string): string {
  return `${name}\u0000${key}`;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Token buckets, one per (limiter, key). Kept in this process's memory: with several processes
 * each enforces its own share (documented as approximate).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock, private readonly maxBuckets = 100_000) {}

  /** Takes `count` tokens (all or none); returns 0 when allowed, else the milliseconds until they are available. */
  take(name: string, key: string, rule: BucketRule, count = 1): number {
    const now = this.clock.now();
    const id = bucketId(name, key);
    const bucket = this.buckets.get(id) ?? { tokens: rule.burst, updatedMs: now };
    bucket.tokens = Math.min(rule.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * rule.perSecond);
    bucket.updatedMs = now;
    const allowed = bucket.tokens >= count;
    if (allowed) bucket.tokens -= count;
    this.remember(id, bucket);
    return allowed ? 0 : Math.ceil(((count - bucket.tokens) / rule.perSecond) * 1000);
  }

  /**
   * Gives back tokens taken by `take` (up to the burst). Lets a limiter count only failures while
   * still taking before the work: concurrent attempts cannot all pass before the first one fails.
   */
  refund(name: string, key: string, rule: BucketRule, count = 1): void {
    const bucket = this.buckets.get(bucketId(name, key));
    if (bucket) bucket.tokens = Math.min(rule.burst, bucket.tokens + count);
  }

  private remember(id: string, bucket: Bucket): void {
    this.buckets.delete(id);
    this.buckets.set(id, bucket);
    // Map order is insertion order: the oldest-touched buckets go first when we are over the cap.
    while (this.buckets.size > this.maxBuckets) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }
}
