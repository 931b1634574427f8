import type { FastifyInstance } from 'fastify';
import type { SigningKey } from '../core/events/signing-key.js';
import { publicKeyBase64 } from '../core/events/signing-key.js';
import { signJson } from '../core/events/signing.js';
import type { Clock } from '../core/clock.js';

/** `GET /_matrix/key/v2/server`: the server's public signing key, self-signed. */
export async function serverKeyRoutes(app: FastifyInstance, opts: { serverName: string; signingKey: SigningKey; clock: Clock }): Promise<void> {
  const { serverName, signingKey, clock } = opts;
  app.get('/_matrix/key/v2/server', async () => signJson({
    server_name: serverName,
    valid_until_ts: clock.now() + 24 * 3_600_000,
    verify_keys: { [signingKey.keyId]: { key: publicKeyBase64(signingKey) } },
    old_verify_keys: {},
  }, serverName, signingKey));
}
