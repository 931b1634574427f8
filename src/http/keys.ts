import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.js';
import { serverKeys } from '../core/events/server-keys.js';
import type { SigningKey } from '../core/events/signing-key.js';
import { invalidParam } from '../core/errors.js';
import { isValidServerName } from '../core/ids.js';
import type { KeyNotary } from '../services/federation/key-notary.js';
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
 * The notary endpoints, `GET /_matrix/key/v2/query/{serverName}` and `POST /_matrix/key/v2/query`:
 * this server's keys, and other servers' as the key ring has them, signed by this server too
 * (services/federation/key-notary.ts).
 */
export async function keyQueryRoutes(app: FastifyInstance, { notary }: { notary: KeyNotary }): Promise<void> {
  app.get<{ Params: { serverName: string }; Querystring: { minimum_valid_until_ts?: number } }>(
    '/_matrix/key/v2/query/:serverName', { schema: { params: paramsOf('serverName'), querystring: KeyQueryQuery } }, async (req) => {
      if (!isValidServerName(req.params.serverName)) throw invalidParam('Invalid server name');
      const minimum = req.query.minimum_valid_until_ts;
      return { server_keys: await notary.query([{ serverName: req.params.serverName, keyIds: [], ...(minimum === undefined ? {} : { minimumValidUntilTs: minimum }) }]) };
    });

  app.post<{ Body: { server_keys: Record<string, Record<string, { minimum_valid_until_ts?: number }>> } }>(
    '/_matrix/key/v2/query', { schema: { body: KeyQueryBody } }, async (req) => {
      for (const name of Object.keys(req.body.server_keys)) if (!isValidServerName(name)) throw invalidParam(`Invalid server name: ${name.slice(0, 255)}`);
      return { server_keys: await notary.queryServerKeys(req.body.server_keys) };
    });
}
