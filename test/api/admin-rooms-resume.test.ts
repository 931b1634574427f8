// A room deletion (DELETE /_synapse/admin/v2/rooms/{roomId}) is a stored job: one a server did not
// finish (here: stopped before it ran it) is resumed by the next server on the same database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachBackend, freshDatabase } from '../helpers/backends.js';
import { rowsMentioning, type RawDatabase } from '../helpers/db-scan.js';
import { rest, sync } from '../helpers/rest.js';
import { startTestServer } from '../helpers/test-server.js';

forEachBackend('admin API: a room deletion survives a restart', (backend) => {
  it('a job stored but not finished is run by the next start-up pass: members leave, the room is purged, the status says complete', async () => {
    const fresh = await freshDatabase(backend, { sqliteFile: true });
    const location = fresh.database.kind === 'sqlite' ? fresh.database.path : fresh.database.url;
    const raw: RawDatabase = fresh.database.kind === 'sqlite' ? { kind: 'sqlite', path: location } : { kind: 'postgres', url: location };
    try {
      const first = await startTestServer({ config: { database: location } });
      const admin = await first.createUser('root', { admin: true });
      const alice = await first.createUser('alice');
      const roomId = await rest(first).createRoom(alice, { room_alias_name: 'resumed' });
      // As when shutting down: the job is stored and answered, and no longer run by this process.
      await first.app.services.adminRooms.jobs.stop();
      const started = await first.request('DELETE', `/_synapse/admin/v2/rooms/${encodeURIComponent(roomId)}`, { token: admin.accessToken, body: { message: 'gone' } });
      assert.equal(started.statusCode, 200, started.body);
      const deleteId = started.json().delete_id as string;
      const pending = await first.request('GET', `/_synapse/admin/v2/rooms/delete_status/${deleteId}`, { token: admin.accessToken });
      assert.deepEqual(pending.json(), { status: 'shutting_down', shutdown_room: { kicked_users: [], failed_to_kick_users: [], local_aliases: [], new_room_id: null } });
      await first.close();

      const second = await startTestServer({ config: { database: location } });
      try {
        // The start-up pass; this call joins it if its timer already started it.
        await second.app.services.adminRooms.jobs.runOnce();
        const status = await second.request('GET', `/_synapse/admin/v2/rooms/delete_status/${deleteId}`, { token: admin.accessToken });
        assert.equal(status.statusCode, 200, status.body);
        assert.deepEqual(status.json(), { status: 'complete', shutdown_room: { kicked_users: [alice.userId], failed_to_kick_users: [], local_aliases: ['#resumed:hs.test'], new_room_id: null } });
        assert.deepEqual((await rowsMentioning(raw, roomId)).filter((row) => !row.startsWith('admin_jobs:')), []);
        assert.equal((await sync(second, alice)).rooms.join[roomId], undefined);
        assert.equal(await second.app.services.adminRooms.jobs.runOnce(), 0, 'a finished job is not run again');
      } finally {
        await second.close();
      }
    } finally {
      await fresh.drop();
    }
  });
}, describe);
