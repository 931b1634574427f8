import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { assertSpecResponse } from './spec-schema.js';
import type { TestServer, TestUser } from './test-server.js';

/** The media repository's paths and raw-byte requests (TestServer.request sends JSON or text). */
export const UPLOAD = '/_matrix/media/v3/upload';
export const AUTHED = '/_matrix/client/v1/media';
export const LEGACY = '/_matrix/media/v3';

/** Every file under `dir`, recursively (temporary files included). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)).filter((f) => statSync(f).isFile());
}

export function uploadRaw(s: TestServer, user: TestUser | undefined, payload: Buffer | string, options: { contentType?: string; filename?: string; headers?: Record<string, string>; url?: string; method?: 'POST' | 'PUT' } = {}): Promise<LightMyRequestResponse> {
  const query = options.filename === undefined ? '' : `?filename=${encodeURIComponent(options.filename)}`;
  return s.app.http.inject({
    method: options.method ?? 'POST',
    url: `${options.url ?? UPLOAD}${query}`,
    headers: {
      ...(user ? { authorization: `Bearer ${user.accessToken}` } : {}),
      ...(options.contentType === undefined ? {} : { 'content-type': options.contentType }),
      ...options.headers,
    },
    payload,
  });
}

/** Uploads and returns the media ID, asserting 200 and the spec. */
export async function uploadOk(s: TestServer, user: TestUser, payload: Buffer | string, options: { contentType?: string; filename?: string } = {}): Promise<string> {
  const res = await uploadRaw(s, user, payload, options);
  assert.equal(res.statusCode, 200, res.body);
  assertSpecResponse(res, 'POST', UPLOAD);
  const uri = res.json().content_uri as string;
  const m = /^mxc:\/\/hs\.test\/([A-Za-z0-9_-]+)$/.exec(uri);
  assert.ok(m, uri);
  return m[1]!;
}

export function get(s: TestServer, url: string, user?: TestUser): Promise<LightMyRequestResponse> {
  return s.app.http.inject({ method: 'GET', url, headers: user ? { authorization: `Bearer ${user.accessToken}` } : {} });
}
