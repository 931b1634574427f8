import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HashingStats } from './accounts/password-hash.js';
import type { OutboxWorker } from './federation/outbox-worker.js';

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

  /** The federation outbox: items queued (all processes: read from the database at each scrape) and this process's attempts. */
  watchFederationOutbox(worker: Pick<OutboxWorker, 'deliveryCounts'>, queued: () => Promise<number>): void {
    const registers = [this.registry];
    new Gauge({ name: 'hearth_federation_outbox_queued', help: 'Items in the federation outbox, waiting or being delivered', registers, async collect() {
      // A database that cannot be read keeps the last value rather than failing the whole scrape.
      await queued().then((n) => this.set(n), () => {});
    } });
    new Counter({
      name: 'hearth_federation_outbox_attempts_total', help: 'Federation outbox delivery attempts, by item kind and result (delivered, failed, dropped)',
      labelNames: ['kind', 'result'] as const, registers,
      collect() {
        this.reset();
        for (const { kind, result, count } of worker.deliveryCounts()) this.inc({ kind, result }, count);
      },
    });
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
