import type { FastifyInstance } from 'fastify';
import { badJson, notJson } from '../core/errors.js';
import { isJsonObject } from '../core/json.js';

/** `type/subtype` as Fastify's content-type parsing accepts it (RFC 9110 tokens). */
const MEDIA_TYPE = /^\s*[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*$/;

/**
 * Request bodies nested deeper than this are refused (M_BAD_JSON), as serde_json (the Conduit family)
 * does: event content is encoded, hashed, stored and served by recursive code, and a stack overflow
 * there was a 500 (and 5,000 levels of `[[[...]]]` fit easily in a body).
 */
export const MAX_JSON_DEPTH = 128;

/** Whether valid JSON text opens more than `max` arrays and objects at once (brackets in strings do not count). */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * Every request body is read as JSON whatever its Content-Type (clients differ: some send none,
 * some send text/plain). An empty body is no body. Anything that is not JSON, or (on most routes) not a
 * JSON object, is M_NOT_JSON.
 */
export function installJsonBodyParser(app: FastifyInstance, bodyLimit: number): void {
  // A Content-Type that is not even `type/subtype` (empty, `garbage`) is as good as none, instead of
  // Fastify's 415 before any parser runs: the body is read as JSON whatever the header says.
  app.addHook('onRequest', async (request) => {
    const contentType = request.headers['content-type'];
    if (contentType !== undefined && !MEDIA_TYPE.test(contentType.split(';', 1)[0] ?? '')) delete request.headers['content-type'];
  });
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
    if (nestedDeeperThan(text, MAX_JSON_DEPTH)) return done(badJson(`JSON is nested more than ${MAX_JSON_DEPTH} levels deep`), undefined);
    done(null, body);
  });
  // Matrix request bodies are JSON objects; a route that ignores its body says so with `anyJsonBody`.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.routeOptions.config.anyJsonBody) return;
    if (!isJsonObject(request.body)) throw notJson('Content must be a JSON object');
  });
}
