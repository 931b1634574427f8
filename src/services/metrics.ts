import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HashingStats } from './accounts/password-hash.js';

/**
 * Prometheus metrics of one Hearth instance (a registry per instance, so tests can build many).
 * Only built when `metrics.enabled`: otherwise nothing is counted and prom-client is not even loaded.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'hearth_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'hearth_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly roomsPurged = new Counter({
    name: 'hearth_rooms_purged_total',
    help: 'Rooms deleted because every local user forgot them',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hearth_' });
  }

  /** Password hashing's bound (PasswordHashing), read when scraped: hashes running, checks waiting, checks refused. */
  watchPasswordHashing(stats: Readonly<HashingStats>): void {
    const registers = [this.registry];
    new Gauge({ name: 'hearth_password_hashes_in_flight', help: 'scrypt computations running now', registers, collect() { this.set(stats.inFlight); } });
    new Gauge({ name: 'hearth_password_checks_queued', help: 'Password checks waiting for a hashing place', registers, collect() { this.set(stats.queued); } });
    new Counter({
      name: 'hearth_password_checks_refused_total', help: 'Password checks refused with 429 because the hashing queue was full', registers,
      // The count is kept by PasswordHashing (which runs with metrics off too): copied at each scrape.
      collect() { this.reset(); this.inc(stats.refused); },
    });
  }
}
