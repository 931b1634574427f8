import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';

/**
 * Server-side key backup is not offered yet. Clients ask for the current backup at start-up; the
 * spec's answer when there is none is 404 M_NOT_FOUND (not M_UNRECOGNIZED), so they carry on.
 */
export async function keyBackupRoutes(app: FastifyInstance): Promise<void> {
  app.get('/room_keys/version', { config: { auth: 'required' } }, async () => {
    throw notFound('No current backup version');
  });
}
