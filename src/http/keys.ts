import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.js';
import { serverKeys } from '../core/events/server-keys.js';
import type { SigningKey } from '../core/events/signing-key.js';
import { invalidParam } from '../core/errors.js';
import { isValidServerName } from '../core/ids.js';
import { paramsOf } from './schemas/common.js';
import { KeyQueryBody, KeyQueryQuery } from './schemas/keys.js';

export interface ServerKeyOptions {
  serverName: string;
  signingKey: SigningKey;
  clock: Clock;
}

/**
 * `GET /_matrix/key/v2/server` and its older form `/_matrix/key/v2/server/{keyId}` (Synapse 1.67
 * still asks for that): the server's public key, self-signed. The key ID is ignored, as the spec
 * says: the answer is every key.
 */
export async function serverKeyRoutes(app: FastifyInstance, opts: ServerKeyOptions): Promise<void> {
  const own = () => serverKeys(opts.serverName, opts.signingKey, opts.clock.now());
  app.get('/_matrix/key/v2/server', async () => own());
  app.get('/_matrix/key/v2/server/:keyId', { schema: { params: paramsOf('keyId') } }, async () => own());
}

/**
 * The notary endpoints, `GET /_matrix/key/v2/query/{serverName}` and `POST /_matrix/key/v2/query`.
 * They answer for Hearth's own server name only: keys of other servers need the outbound
 * federation client, which does not exist yet, so for them `server_keys` holds nothing (the spec
 * lets a notary leave out servers it could not reach).
 */
export async function keyQueryRoutes(app: FastifyInstance, opts: ServerKeyOptions): Promise<void> {
  const own = () => serverKeys(opts.serverName, opts.signingKey, opts.clock.now());

  app.get<{ Params: { serverName: string }; Querystring: { minimum_valid_until_ts?: number } }>(
    '/_matrix/key/v2/query/:serverName', { schema: { params: paramsOf('serverName'), querystring: KeyQueryQuery } }, async (req) => {
      if (!isValidServerName(req.params.serverName)) throw invalidParam('Invalid server name');
      return { server_keys: req.params.serverName === opts.serverName ? [own()] : [] };
    });

  app.post<{ Body: { server_keys: Record<string, Record<string, unknown>> } }>(
    '/_matrix/key/v2/query', { schema: { body: KeyQueryBody } }, async (req) => {
      const asked = Object.entries(req.body.server_keys);
      for (const [name] of asked) if (!isValidServerName(name)) throw invalidParam(`Invalid server name: ${name.slice(0, 255)}`);
      const ownKeyIds = asked.find(([name]) => name === opts.serverName)?.[1];
      // An empty set of key IDs asks for every key; otherwise answer only when our key is among them.
      const wanted = ownKeyIds !== undefined && (Object.keys(ownKeyIds).length === 0 || opts.signingKey.keyId in ownKeyIds);
      return { server_keys: wanted ? [own()] : [] };
    });
}
