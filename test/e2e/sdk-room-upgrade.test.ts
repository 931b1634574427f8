// matrix-js-sdk against Hearth's room upgrades: the SDK upgrades a room, then a member's client
// follows the tombstone to the new room and back through its predecessor.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { forEachBackend } from '../helpers/backends.js';
import { rest } from '../helpers/rest.js';
import { listeningServerForSdk, type HttpProblem, recordingFetch, until } from '../helpers/sdk-client.js';

forEachBackend('matrix-js-sdk 37.5.0: room upgrades', (backend) => {
  const env = listeningServerForSdk(backend);

  it('upgradeRoom answers the replacement; a member\'s client links both rooms (tombstone, predecessor, upgrade history)', async () => {
    const s = env.server;
    const r = rest(s);
    const [alice, bob] = [await s.createUser('alice'), await s.createUser('bob')];
    const oldRoom = await r.createRoom(alice, { preset: 'public_chat', name: 'Before' });
    await r.join(bob, oldRoom);

    const problems: HttpProblem[] = [];
    const client = (u: typeof alice) => {
      const c = sdk.createClient({ baseUrl: env.baseUrl, accessToken: u.accessToken, userId: u.userId, deviceId: u.deviceId, fetchFn: recordingFetch(problems) });
      env.clients.push(c);
      return c;
    };
    const bobClient = client(bob);
    const prepared = new Promise<void>((resolve) => bobClient.on(sdk.ClientEvent.Sync, (state) => state === 'PREPARED' && resolve()));
    await bobClient.startClient({ initialSyncLimit: 10 });
    await prepared;

    const { replacement_room: newRoom } = await client(alice).upgradeRoom(oldRoom, '11');
    assert.notEqual(newRoom, oldRoom);
    await until('bob\'s client sees the tombstone', async () =>
      bobClient.getRoom(oldRoom)?.currentState.getStateEvents('m.room.tombstone', '')?.getContent().replacement_room === newRoom);
    await bobClient.joinRoom(newRoom);
    await until('bob\'s client has the new room', async () => bobClient.getRoom(newRoom)?.getMyMembership() === 'join');
    const room = bobClient.getRoom(newRoom)!;
    assert.equal(room.findPredecessor()?.roomId, oldRoom);
    assert.equal(room.name, 'Before', 'the name is copied');
    assert.deepEqual(bobClient.getRoomUpgradeHistory(newRoom, true).map((x) => x.roomId), [oldRoom, newRoom]);
    assert.deepEqual(problems.filter((p) => p.status >= 500 || p.errcode === 'M_UNRECOGNIZED'), []);
  });
}, describe);
