import type { FastifyInstance } from 'fastify';
import { notJson } from '../core/errors.js';

/**
 * Every request body is read as JSON whatever its Content-Type (clients differ: some send none,
 * some send text/plain). An empty body is no body. Anything that is not JSON is M_NOT_JSON.
 */
export function installJsonBodyParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(notJson('Content not JSON'), undefined);
    }
  });
}
