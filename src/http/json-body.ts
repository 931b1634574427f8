import type { FastifyInstance } from 'fastify';
import { notJson } from '../core/errors.js';
import { isJsonObject } from '../core/json.js';

/**
 * Every request body is read as JSON whatever its Content-Type (clients differ: some send none,
 * some send text/plain). An empty body is no body. Anything that is not JSON, or (on most routes) not a
 * JSON object, is M_NOT_JSON.
 */
export function installJsonBodyParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, raw, done) => {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(notJson('Content not JSON'), undefined);
    }
  });
  // Matrix request bodies are JSON objects; a route that ignores its body says so with `anyJsonBody`.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.routeOptions.config.anyJsonBody) return;
    if (!isJsonObject(request.body)) throw notJson('Content must be a JSON object');
  });
}
