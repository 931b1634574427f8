import Fastify, { type FastifyInstance } from 'fastify';
import type { Metrics } from '../services/metrics.js';

/** Serves Prometheus metrics on `path` of the given instance. */
export function addMetricsRoute(app: FastifyInstance, metrics: Metrics, path: string): void {
  app.get(path, async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
}

/** A separate listener for metrics, so they need not be exposed where clients connect. */
export function createMetricsServer(metrics: Metrics, path: string): FastifyInstance {
  const app = Fastify();
  addMetricsRoute(app, metrics, path);
  return app;
}
