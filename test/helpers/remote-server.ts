// A remote homeserver as the federation listener sees it: a server name, a signing key, and the
// key lookup that knows its public key. Requests are signed as a real peer signs them (X-Matrix),
// and the lookup records what it was asked, so a test can check the time keys were wanted for.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { generateSigningKey, publicKeyBase64, type SigningKey } from '../../src/core/events/signing-key.js';
import { signRequest } from '../../src/core/federation/request-auth.js';
import type { ServerKeyLookup } from '../../src/services/federation/server-key-lookup.js';

export interface RemoteServer {
  name: string;
  key: SigningKey;
  /** Knows this server's key (and nothing else), as the key ring would after fetching it. */
  lookup: ServerKeyLookup & { asked: { serverName: string; keyIds: readonly string[]; atMs: number }[] };
  /**
   * Sends a request to `fed` signed by this server. `sign` overrides what is signed (to forge a
   * mismatch between the signature and the request); `authorization` replaces the header.
   */
  request(fed: FastifyInstance, method: InjectOptions['method'], uri: string, options?: {
    body?: unknown;
    destination?: string;
    sign?: { uri?: string; body?: unknown; key?: SigningKey; origin?: string };
    authorization?: string | null;
  }): Promise<LightMyRequestResponse>;
}

export function remoteServer(name: string, destination: string): RemoteServer {
  const key = generateSigningKey(randomBytes);
  const asked: RemoteServer['lookup']['asked'] = [];
  const lookup = {
    asked,
    async keysFor(serverName: string, keyIds: readonly string[], atMs: number) {
      asked.push({ serverName, keyIds, atMs });
      return serverName === name && keyIds.includes(key.keyId) ? { [key.keyId]: publicKeyBase64(key) } : {};
    },
  };
  return {
    name, key, lookup,
    request(fed, method, uri, options = {}) {
      const { body, sign = {} } = options;
      const content = 'body' in sign ? sign.body : body;
      const authorization = options.authorization === undefined
        ? signRequest({
          method: String(method), uri: sign.uri ?? uri, origin: sign.origin ?? name,
          destination: options.destination ?? destination, ...(content === undefined ? {} : { content }),
        }, sign.key ?? key)
        : options.authorization;
      const headers: Record<string, string> = authorization === null ? {} : { authorization };
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fed.inject({ method, url: uri, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
    },
  };
}
