// LEAVING.md "Account deactivation": a deactivation interrupted part-way (the process died, or the
// database failed while leaving a room) leaves the account marked deactivated but still in rooms,
// holding up their purge. The deactivation-resume job finishes it from stored data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RoomId, UserId } from '../../src/core/ids.js';
import { forEachBackend } from '../helpers/backends.js';
import { rawExec } from '../helpers/db-scan.js';
import { rest, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const DAY = 86_400_000;

forEachBackend('LEAVING.md: an interrupted account deactivation is finished by a background job', (backend) => {
  let s: TestServer;
  before(async () => {
    // A file database: the fault is injected through a second connection.
    s = await startTestServer({ backend, sqliteFile: true });
    // Passes run only when a test says so, not on the start-up timer.
    await s.app.deactivationResume.stop();
  });
  after(() => s.close());

  /** Makes every event insert into `roomId` fail, as a database failing mid-deactivation would. */
  async function failWritesTo(roomId: string): Promise<() => Promise<void>> {
    if (s.database.kind === 'sqlite') {
      await rawExec(s.database, `CREATE TRIGGER injected_fault BEFORE INSERT ON events WHEN NEW.room_id = '${roomId}' BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
      return () => rawExec(s.database, 'DROP TRIGGER injected_fault');
    }
    await rawExec(s.database, `CREATE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$`);
    await rawExec(s.database, `CREATE TRIGGER injected_fault BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.room_id = '${roomId}') EXECUTE FUNCTION injected_fault()`);
    return async () => {
      await rawExec(s.database, 'DROP TRIGGER injected_fault ON events');
      await rawExec(s.database, 'DROP FUNCTION injected_fault');
    };
  }

  async function deactivate(user: TestUser) {
    const first = await s.request('POST', `${V3}/account/deactivate`, { token: user.accessToken, body: {} });
    assert.equal(first.statusCode, 401);
    return s.request('POST', `${V3}/account/deactivate`, {
      token: user.accessToken,
      body: { auth: { type: 'm.login.password', session: first.json().session, identifier: { type: 'm.id.user', user: user.userId }, password: user.password } },
    });
  }

  const membershipOf = (roomId: string, userId: UserId) => s.app.store.memberships.get(roomId as RoomId, userId);

  /** The user's current member event in the room is a leave they sent themselves, and the room is forgotten. */
  async function assertLeftAndForgotten(roomId: string, userId: UserId): Promise<void> {
    const m = await membershipOf(roomId, userId);
    assert.equal(m?.membership, 'leave', `membership in ${roomId}`);
    assert.equal(m.forgotten, true, `forgotten ${roomId}`);
    const event = (await s.app.store.events.get(m.eventId))?.event;
    assert.equal(event?.type, 'm.room.member');
    assert.equal(event.state_key, userId);
    assert.equal(event.sender, userId, `the leave in ${roomId} is the user's own`);
    assert.equal(event.content.membership, 'leave');
  }

  it('a database failure part-way: the account stays deactivated, and one pass leaves and forgets the rest, once', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const shared = await r.createRoom(bob, { preset: 'public_chat' });
    await r.join(alice, shared);
    const onlyAliceLeft = await r.createRoom(bob, { preset: 'public_chat' });
    await r.join(alice, onlyAliceLeft);
    await r.leave(bob, onlyAliceLeft);
    await r.forget(bob, onlyAliceLeft);
    const failing = await r.createRoom(bob, { preset: 'public_chat' });
    await r.join(alice, failing);
    const invitedTo = await r.createRoom(bob);
    await r.invite(bob, invitedTo, alice);
    const knockedOn = await r.createRoom(bob, { initial_state: [{ type: 'm.room.join_rules', state_key: '', content: { join_rule: 'knock' } }] });
    await r.ok('POST', `/knock/${encodeURIComponent(knockedOn)}`, alice, {});
    const own = await r.createRoom(alice);
    const rooms = [shared, onlyAliceLeft, failing, invitedTo, knockedOn, own];

    // Deactivation leaves rooms in the order the user's memberships were made: the fault stops it at `failing`.
    const restore = await failWritesTo(failing);
    const res = await deactivate(alice);
    await restore();
    assert.equal(res.statusCode, 500, res.body);
    assert.equal(res.json().errcode, 'M_UNKNOWN');
    assert.ok(!res.body.includes('injected'), 'the error does not reveal the database error');

    // Marked first: the account is deactivated although the request failed.
    assert.equal((await s.app.store.accounts.get(alice.userId))?.deactivated, true);
    const who = await s.request('GET', `${V3}/account/whoami`, { token: alice.accessToken });
    assert.equal(who.statusCode, 401);
    assert.equal(who.json().errcode, 'M_UNKNOWN_TOKEN');
    await assertLeftAndForgotten(shared, alice.userId);
    await assertLeftAndForgotten(onlyAliceLeft, alice.userId);
    assert.equal((await membershipOf(failing, alice.userId))?.membership, 'join');
    assert.equal((await membershipOf(invitedTo, alice.userId))?.membership, 'invite');
    assert.equal((await membershipOf(knockedOn, alice.userId))?.membership, 'knock');
    assert.equal((await membershipOf(own, alice.userId))?.membership, 'join');
    assert.deepEqual(await s.app.store.accounts.deactivatedWithRooms(null, 10), [alice.userId]);

    assert.equal(await s.app.deactivationResume.runOnce(), 4, 'the four rooms the request did not reach');
    for (const roomId of rooms) await assertLeftAndForgotten(roomId, alice.userId);
    assert.deepEqual(await s.app.store.devices.list(alice.userId), [], 'every device logged out');
    const members = await r.ok('GET', `${r.room(shared)}/joined_members`, bob);
    assert.deepEqual(Object.keys(members.joined), [bob.userId]);

    // Idempotent: nothing is left to do, and no event is written again.
    const heads = await Promise.all(rooms.map((id) => s.app.store.events.head(id as RoomId)));
    assert.equal(await s.app.deactivationResume.runOnce(), 0);
    assert.deepEqual(await Promise.all(rooms.map((id) => s.app.store.events.head(id as RoomId))), heads);

    // Nothing holds the rooms only alice was left in: the purge takes them after the retention.
    s.clock.advance(7 * DAY + 1);
    assert.ok((await s.app.purger!.runOnce()) >= 2);
    assert.equal(await s.app.store.rooms.get(onlyAliceLeft as RoomId), undefined);
    assert.equal(await s.app.store.rooms.get(own as RoomId), undefined);
    for (const kept of [shared, failing, invitedTo, knockedOn]) assert.ok(await s.app.store.rooms.get(kept as RoomId), `${kept} is still used by bob`);
  });

  it('an account marked deactivated before a crash, then invited: the next pass leaves and rejects, with its own events', async () => {
    const r = rest(s);
    const carol = await s.createUser('carol');
    const dave = await s.createUser('dave');
    const joined = await r.createRoom(dave, { preset: 'public_chat' });
    await r.join(carol, joined);
    // The crash came right after the mark: nothing else happened.
    await s.app.store.accounts.setDeactivated(carol.userId);
    // An invite can still reach a deactivated account; it too would hold its room's purge.
    const laterInvite = await r.createRoom(dave);
    await r.invite(dave, laterInvite, carol);

    assert.equal(await s.app.deactivationResume.runOnce(), 2);
    await assertLeftAndForgotten(joined, carol.userId);
    await assertLeftAndForgotten(laterInvite, carol.userId);
    assert.equal(await s.app.deactivationResume.runOnce(), 0);
    assert.deepEqual(await s.app.store.accounts.deactivatedWithRooms(null, 10), []);
  });
}, describe);
