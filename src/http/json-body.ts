import type { FastifyInstance } from 'fastify';
import { notJson } from '../core/errors.js';
import { isJsonObject } from '../core/json.js';

/**
 * Every request body is read as JSON whatever its Content-Type (clients differ: some send none,
 * some send text/plain). An empty body is no body. Anything that is not a JSON object is M_NOT_JSON.
 */
export function installJsonBodyParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, raw, done) => {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return done(notJson('Content not JSON'), undefined);
    }
    // Every Matrix request body is a JSON object.
    if (!isJsonObject(body)) return done(notJson('Content must be a JSON object'), undefined);
    done(null, body);
  });
}
