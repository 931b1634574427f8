import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, sync, V3, type Body as Sync, type SyncEvent as Ev } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * GET /sync, every section but the leave rules (sync-leave.test.ts has those), filters, tokens and
 * errors (sync-filters.test.ts): rooms.join (timeline, state, summary, unread counts, ephemeral,
 * room account data), account data, presence, invites and knocks, long-polling.
 */

const enc = encodeURIComponent;

const since = (token: string, extra = '') => `since=${enc(token)}${extra ? `&${extra}` : ''}`;
const filterQuery = (filter: unknown) => `filter=${enc(JSON.stringify(filter))}`;
const bodies = (events: Ev[]) => events.filter((e) => e.type === 'm.room.message').map((e) => e.content.body as string);
const keys = (events: Ev[]) => events.map((e) => `${e.type}|${e.state_key ?? ''}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A rooms section with no entries at all. */
function assertNoRooms(body: Sync): void {
  for (const section of ['join', 'invite', 'knock', 'leave']) assert.deepEqual(body.rooms?.[section] ?? {}, {}, `rooms.${section}`);
}

forEachBackend('GET /sync: rooms.join timeline and state', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  /** A public room named "Lounge" that `others` have joined. */
  async function lounge(...others: TestUser[]): Promise<string> {
    const roomId = await r.createRoom(alice, { preset: 'public_chat', name: 'Lounge' });
    for (const u of others) await r.join(u, roomId);
    return roomId;
  }

  async function sendMany(user: TestUser, roomId: string, prefix: string, n: number): Promise<void> {
    for (let i = 1; i <= n; i++) await r.send(user, roomId, `${prefix}${i}`);
  }

  it('initial sync: the latest 10 events, limited; prev_batch leads back through /messages with no gap or duplicate', async () => {
    const bob = await s.createUser('bob1');
    const roomId = await lounge(bob);
    await sendMany(alice, roomId, 'm', 15);
    const body = await sync(s, bob);
    const room = body.rooms.join[roomId];
    assert.ok(room, 'the joined room is in rooms.join');
    const timeline: Ev[] = room.timeline.events;
    assert.equal(timeline.length, 10);
    assert.deepEqual(bodies(timeline), ['m6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12', 'm13', 'm14', 'm15']);
    assert.equal(room.timeline.limited, true);
    assert.equal(typeof room.timeline.prev_batch, 'string');

    const earlier = await r.messages(bob, roomId, `dir=b&limit=100&from=${enc(room.timeline.prev_batch)}`);
    const everything = await r.messages(bob, roomId, 'dir=b&limit=100');
    const stitched = [...[...earlier.chunk].reverse(), ...timeline].map((e: Ev) => e.event_id);
    assert.deepEqual(stitched, [...everything.chunk].reverse().map((e: Ev) => e.event_id));
    assert.equal(new Set(stitched).size, stitched.length, 'no duplicates');
    assert.equal(earlier.chunk.at(-1).type, 'm.room.create', 'back to the start of the room');
  });

  it('initial sync: state is the room state before the timeline, with nothing the timeline repeats', async () => {
    const bob = await s.createUser('bob2');
    const roomId = await lounge(bob);
    await sendMany(alice, roomId, 'x', 12);
    const room = (await sync(s, bob)).rooms.join[roomId];
    const state: Ev[] = room.state.events;
    const stateKeys = keys(state);
    for (const key of ['m.room.create|', 'm.room.power_levels|', 'm.room.join_rules|', 'm.room.name|', `m.room.member|${alice.userId}`, `m.room.member|${bob.userId}`]) {
      assert.ok(stateKeys.includes(key), `${key} in state: ${stateKeys.join(', ')}`);
    }
    assert.equal(state.find((e) => e.type === 'm.room.name')!.content.name, 'Lounge');
    assert.equal(state.find((e) => e.state_key === bob.userId)!.content.membership, 'join');
    const inTimeline = new Set(room.timeline.events.map((e: Ev) => e.event_id));
    assert.ok(state.every((e) => !inTimeline.has(e.event_id)));
    assert.equal(new Set(stateKeys).size, stateKeys.length, 'one event per state key');
  });

  it('initial sync of a short room: limited false, the whole history in the timeline, no state before it', async () => {
    const bob = await s.createUser('bob3');
    const roomId = await lounge(bob);
    await r.send(alice, roomId, 'only');
    const room = (await sync(s, bob, filterQuery({ room: { timeline: { limit: 50 } } }))).rooms.join[roomId];
    assert.equal(room.timeline.limited, false);
    assert.equal(room.timeline.events[0].type, 'm.room.create');
    assert.deepEqual(bodies(room.timeline.events), ['only']);
    assert.deepEqual(room.state.events, []);
    const earlier = await r.messages(bob, roomId, `dir=b&limit=10&from=${enc(room.timeline.prev_batch)}`);
    assert.deepEqual(earlier.chunk, [], 'nothing before the first event');
  });

  it('incremental sync: only the new events, not limited, no state; with nothing new, no rooms', async () => {
    const bob = await s.createUser('bob4');
    const roomId = await lounge(bob);
    const first = await sync(s, bob);
    await sendMany(alice, roomId, 'n', 3);
    const next = await sync(s, bob, since(first.next_batch));
    const room = next.rooms.join[roomId];
    assert.deepEqual(bodies(room.timeline.events), ['n1', 'n2', 'n3']);
    assert.equal(room.timeline.events.length, 3);
    assert.equal(room.timeline.limited, false);
    assert.deepEqual(room.state.events, []);
    const idle = await sync(s, bob, since(next.next_batch));
    assertNoRooms(idle);
    assert.deepEqual(idle.account_data.events, []);
    assert.deepEqual(idle.presence.events, []);
  });

  it('incremental sync after a gap: limited, and state holds the state changes of the gap only', async () => {
    const bob = await s.createUser('bob5');
    const roomId = await lounge(bob);
    const first = await sync(s, bob);
    const topic = await r.putState(alice, roomId, 'm.room.topic', { topic: 'in the gap' });
    await sendMany(alice, roomId, 'g', 12);
    const room = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    assert.equal(room.timeline.limited, true);
    assert.deepEqual(bodies(room.timeline.events), ['g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9', 'g10', 'g11', 'g12']);
    assert.deepEqual(room.state.events.map((e: Ev) => e.event_id), [topic], 'the topic set in the gap, nothing older');
    assert.equal(room.state.events[0].content.topic, 'in the gap');

    // The gap itself: from prev_batch back to the previous sync's token.
    const gap = await r.messages(bob, roomId, `dir=b&limit=100&from=${enc(room.timeline.prev_batch)}&to=${enc(first.next_batch)}`);
    assert.deepEqual(gap.chunk.map((e: Ev) => e.content.body ?? e.type), ['g2', 'g1', 'm.room.topic']);
  });

  it('limited is false for exactly `limit` new events and true for one more', async () => {
    const bob = await s.createUser('bob5b');
    const roomId = await lounge(bob);
    const first = await sync(s, bob);
    await sendMany(alice, roomId, 'e', 10);
    const exact = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    assert.equal(exact.timeline.events.length, 10);
    assert.equal(exact.timeline.limited, false);
    await r.send(alice, roomId, 'e11');
    const more = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    assert.equal(more.timeline.events.length, 10);
    assert.equal(more.timeline.limited, true);
    assert.deepEqual(bodies(more.timeline.events).slice(0, 1), ['e2']);
  });

  it('redactions: a redacted event shows redacted with redacted_because; the redaction arrives incrementally', async () => {
    const bob = await s.createUser('bob5c');
    const roomId = await lounge(bob);
    const target = await r.send(alice, roomId, 'oops');
    const first = await sync(s, bob);
    assert.equal(first.rooms.join[roomId].timeline.events.find((e: Ev) => e.event_id === target).content.body, 'oops');
    const redaction = (await r.ok('PUT', `${r.room(roomId)}/redact/${enc(target)}/redact1`, alice, { reason: 'typo' })).event_id;
    const next = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    const event = next.timeline.events.find((e: Ev) => e.event_id === redaction);
    assert.equal(event.type, 'm.room.redaction');
    assert.equal(event.redacts ?? event.content.redacts, target);
    const again = (await sync(s, bob)).rooms.join[roomId].timeline.events.find((e: Ev) => e.event_id === target);
    assert.deepEqual(again.content, {});
    assert.equal(again.unsigned.redacted_because.event_id, redaction);
  });

  it('the sending device gets unsigned.transaction_id on its own events; other devices do not', async () => {
    const bob = await s.createUser('bob5d');
    const roomId = await lounge(bob);
    const first = await sync(s, bob);
    await r.ok('PUT', `${r.room(roomId)}/send/m.room.message/my-txn-1`, bob, { msgtype: 'm.text', body: 'echo' });
    const next = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    assert.equal(next.timeline.events.at(-1).unsigned.transaction_id, 'my-txn-1');
    const aliceView = (await sync(s, alice)).rooms.join[roomId];
    assert.equal(aliceView.timeline.events.at(-1).unsigned.transaction_id, undefined);
  });

  it('incremental sync: a state change inside the timeline is not repeated in state', async () => {
    const bob = await s.createUser('bob6');
    const roomId = await lounge(bob);
    const first = await sync(s, bob);
    const topic = await r.putState(alice, roomId, 'm.room.topic', { topic: 'in the timeline' });
    await r.send(alice, roomId, 'after topic');
    const room = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    assert.equal(room.timeline.limited, false);
    assert.deepEqual(room.timeline.events.map((e: Ev) => e.event_id).slice(0, 1), [topic]);
    assert.deepEqual(room.state.events, []);
  });

  it('full_state=true: the whole room state on an incremental sync too', async () => {
    const bob = await s.createUser('bob7');
    const roomId = await lounge(bob);
    const first = await sync(s, bob);
    await r.send(alice, roomId, 'new');
    const room = (await sync(s, bob, since(first.next_batch, 'full_state=true'))).rooms.join[roomId];
    assert.deepEqual(bodies(room.timeline.events), ['new']);
    const stateKeys = keys(room.state.events);
    for (const key of ['m.room.create|', 'm.room.power_levels|', 'm.room.name|', `m.room.member|${bob.userId}`]) assert.ok(stateKeys.includes(key), key);
    // "The full state for all rooms the user is a member of": quiet rooms too, with an empty timeline.
    const quiet = await lounge(bob);
    const second = await sync(s, bob);
    await r.send(alice, roomId, 'again');
    const next = await sync(s, bob, since(second.next_batch, 'full_state=true'));
    assert.deepEqual(bodies(next.rooms.join[roomId].timeline.events), ['again']);
    const quietRoom = next.rooms.join[quiet];
    assert.ok(quietRoom, 'a room with nothing new is included');
    assert.deepEqual(quietRoom.timeline.events, []);
    assert.equal(quietRoom.timeline.limited, false);
    assert.ok(keys(quietRoom.state.events).includes(`m.room.member|${bob.userId}`));
    // Without full_state, only the room with news.
    await r.send(alice, roomId, 'once more');
    assert.deepEqual(Object.keys((await sync(s, bob, since(next.next_batch))).rooms.join), [roomId]);
  });

  it('a room joined since `since`: its full state, as in an initial sync', async () => {
    const bob = await s.createUser('bob8');
    const roomId = await lounge();
    await sendMany(alice, roomId, 'old', 12);
    const first = await sync(s, bob);
    assert.equal(first.rooms.join[roomId], undefined);
    await r.join(bob, roomId);
    const room = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    assert.ok(room);
    const last = room.timeline.events.at(-1);
    assert.equal(last.state_key, bob.userId);
    assert.equal(last.content.membership, 'join');
    const stateKeys = keys(room.state.events);
    for (const key of ['m.room.create|', 'm.room.power_levels|', `m.room.member|${alice.userId}`]) assert.ok(stateKeys.includes(key), key);
  });

  it('summary: heroes in stream order without the user, joined and invited counts', async () => {
    // Stream order and alphabetical order differ here: zoe joins before carl is invited.
    const bob = await s.createUser('bob9');
    const zoe = await s.createUser('zoe9');
    const carl = await s.createUser('carl9');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    await r.join(zoe, roomId);
    await r.invite(alice, roomId, carl);
    const summary = (await sync(s, bob)).rooms.join[roomId].summary;
    assert.equal(summary['m.joined_member_count'], 3);
    assert.equal(summary['m.invited_member_count'], 1);
    assert.deepEqual(summary['m.heroes'], [alice.userId, zoe.userId, carl.userId]);
    assert.deepEqual((await sync(s, alice)).rooms.join[roomId].summary['m.heroes'], [bob.userId, zoe.userId, carl.userId]);
  });

  it('summary: with nobody else joined or invited, the heroes are the users who left', async () => {
    const bob = await s.createUser('bob10');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    await r.leave(alice, roomId);
    const summary = (await sync(s, bob)).rooms.join[roomId].summary;
    assert.deepEqual(summary, { 'm.heroes': [alice.userId], 'm.joined_member_count': 1, 'm.invited_member_count': 0 });
  });
}, describe);

forEachBackend('GET /sync: unread counts, ephemeral events, account data, presence', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  async function roomWith(...others: TestUser[]): Promise<string> {
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    for (const u of others) await r.join(u, roomId);
    return roomId;
  }

  const sendContent = async (user: TestUser, roomId: string, content: Record<string, unknown>, txn: string) =>
    (await r.ok('PUT', `${r.room(roomId)}/send/m.room.message/${txn}`, user, content)).event_id as string;

  it("unread_notifications: others' messages count, one's own do not; a read receipt on the latest event resets them", async () => {
    const bob = await s.createUser('bob1');
    const carol = await s.createUser('carol1');
    const roomId = await roomWith(bob, carol);
    const first = await sync(s, bob);
    assert.deepEqual(first.rooms.join[roomId].unread_notifications, { notification_count: 0, highlight_count: 0 });
    await r.send(alice, roomId, 'one');
    await r.send(bob, roomId, 'mine');
    const latest = await r.send(carol, roomId, 'two');
    const next = await sync(s, bob, since(first.next_batch));
    assert.deepEqual(next.rooms.join[roomId].unread_notifications, { notification_count: 2, highlight_count: 0 });

    await r.ok('POST', `${r.room(roomId)}/receipt/m.read/${enc(latest)}`, bob, {});
    const read = await sync(s, bob, since(next.next_batch));
    const room = read.rooms.join[roomId];
    assert.ok(room, 'the receipt brings the room back');
    assert.deepEqual(room.unread_notifications, { notification_count: 0, highlight_count: 0 });
    const receipt = room.ephemeral.events.find((e: Ev) => e.type === 'm.receipt');
    assert.ok(receipt.content[latest]['m.read'][bob.userId].ts > 0);
  });

  it('unread_notifications: m.notice messages do not count; a private read receipt resets the count and is shown to nobody else', async () => {
    const bob = await s.createUser('bob1b');
    const roomId = await roomWith(bob);
    const first = await sync(s, bob);
    await sendContent(alice, roomId, { msgtype: 'm.notice', body: 'bot says' }, 'notice1');
    let room = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    assert.deepEqual(room.unread_notifications, { notification_count: 0, highlight_count: 0 });
    const latest = await r.send(alice, roomId, 'real message');
    const beforeRead = await sync(s, bob, since(first.next_batch));
    assert.deepEqual(beforeRead.rooms.join[roomId].unread_notifications, { notification_count: 1, highlight_count: 0 });
    const aliceFirst = await sync(s, alice);
    await r.ok('POST', `${r.room(roomId)}/receipt/m.read.private/${enc(latest)}`, bob, {});
    room = (await sync(s, bob, since(beforeRead.next_batch))).rooms.join[roomId];
    assert.deepEqual(room.unread_notifications, { notification_count: 0, highlight_count: 0 });
    const own = room.ephemeral.events.find((e: Ev) => e.type === 'm.receipt');
    assert.ok(own.content[latest]['m.read.private'][bob.userId], 'the owner sees their private receipt');
    const aliceNext = await sync(s, alice, since(aliceFirst.next_batch));
    const leaked = (aliceNext.rooms.join[roomId]?.ephemeral?.events ?? []).filter((e: Ev) => e.type === 'm.receipt');
    assert.deepEqual(leaked, [], 'private receipts are not shown to others');
  });

  it('unread_notifications follow new messages sync after sync, a receipt in the middle, and a change of push rules', async () => {
    const bob = await s.createUser('bob1c');
    const roomId = await roomWith(bob);
    const first = await sync(s, bob);
    const ids: string[] = [];
    const counts = async () => (await sync(s, bob, since(first.next_batch))).rooms.join[roomId].unread_notifications;
    for (let i = 0; i < 3; i++) ids.push(await r.send(alice, roomId, `m${i}`));
    assert.deepEqual(await counts(), { notification_count: 3, highlight_count: 0 });
    for (let i = 3; i < 5; i++) ids.push(await r.send(alice, roomId, `m${i}`));
    assert.deepEqual(await counts(), { notification_count: 5, highlight_count: 0 }, 'counted on from the last sync');
    await r.ok('POST', `${r.room(roomId)}/receipt/m.read/${enc(ids[1]!)}`, bob, {});
    assert.deepEqual(await counts(), { notification_count: 3, highlight_count: 0 }, 'only what follows the receipt');
    // A room rule that stops notifications for this room: everything after the receipt is counted anew.
    await r.ok('PUT', `/pushrules/global/room/${enc(roomId)}`, bob, { actions: [] });
    assert.deepEqual(await counts(), { notification_count: 0, highlight_count: 0 });
    await r.ok('DELETE', `/pushrules/global/room/${enc(roomId)}`, bob);
    ids.push(await r.send(alice, roomId, 'm5'));
    assert.deepEqual(await counts(), { notification_count: 4, highlight_count: 0 });
  });

  it('highlight_count: an m.mentions user mention highlights; a bare display name or user ID in the body only notifies (v1.17+ rules)', async () => {
    const bob = await s.createUser('bob2');
    const carol = await s.createUser('carol2');
    const roomId = await roomWith(bob, carol);
    const first = await sync(s, bob);
    await sendContent(alice, roomId, { msgtype: 'm.text', body: 'hi', 'm.mentions': { user_ids: [bob.userId] } }, 'mention1');
    let room = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    assert.deepEqual(room.unread_notifications, { notification_count: 1, highlight_count: 1 });
    await sendContent(alice, roomId, { msgtype: 'm.text', body: `bob2: and ${bob.userId}, look` }, 'mention2');
    room = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    assert.deepEqual(room.unread_notifications, { notification_count: 2, highlight_count: 1 });
    // A mention of someone else does not highlight for bob.
    await sendContent(alice, roomId, { msgtype: 'm.text', body: 'hi', 'm.mentions': { user_ids: [carol.userId] } }, 'mention3');
    room = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
    assert.deepEqual(room.unread_notifications, { notification_count: 3, highlight_count: 1 });
  });

  it('ephemeral: m.typing while someone types, and an empty list once they stop', async () => {
    const bob = await s.createUser('bob3');
    const roomId = await roomWith(bob);
    const first = await sync(s, bob);
    await r.ok('PUT', `${r.room(roomId)}/typing/${enc(alice.userId)}`, alice, { typing: true, timeout: 30000 });
    const typing = await sync(s, bob, since(first.next_batch));
    const events: Ev[] = typing.rooms.join[roomId].ephemeral.events;
    assert.deepEqual(events.find((e) => e.type === 'm.typing')?.content, { user_ids: [alice.userId] });
    assert.deepEqual(typing.rooms.join[roomId].timeline.events, [], 'typing is not a timeline event');
    // An initial sync shows who is typing now.
    const initial = await sync(s, bob);
    assert.deepEqual(initial.rooms.join[roomId].ephemeral.events.find((e: Ev) => e.type === 'm.typing')?.content, { user_ids: [alice.userId] });

    await r.ok('PUT', `${r.room(roomId)}/typing/${enc(alice.userId)}`, alice, { typing: false });
    const stopped = await sync(s, bob, since(typing.next_batch));
    assert.deepEqual(stopped.rooms.join[roomId].ephemeral.events.find((e: Ev) => e.type === 'm.typing')?.content, { user_ids: [] });
    assertNoRooms(await sync(s, bob, since(stopped.next_batch)));
  });

  it('ephemeral: m.receipt of other members, in initial and incremental syncs', async () => {
    const bob = await s.createUser('bob4');
    const roomId = await roomWith(bob);
    const eventId = await r.send(bob, roomId, 'read me');
    const first = await sync(s, bob);
    await r.ok('POST', `${r.room(roomId)}/receipt/m.read/${enc(eventId)}`, alice, {});
    const next = await sync(s, bob, since(first.next_batch));
    const receipt = next.rooms.join[roomId].ephemeral.events.find((e: Ev) => e.type === 'm.receipt');
    assert.ok(receipt, 'm.receipt delivered');
    assert.deepEqual(Object.keys(receipt.content), [eventId]);
    assert.equal(typeof receipt.content[eventId]['m.read'][alice.userId].ts, 'number');
    const initial = await sync(s, bob);
    const again = initial.rooms.join[roomId].ephemeral.events.find((e: Ev) => e.type === 'm.receipt');
    assert.ok(again.content[eventId]['m.read'][alice.userId]);
    assertNoRooms(await sync(s, bob, since(next.next_batch)));
  });

  it('room account_data: delivered in its room once, and in every initial sync', async () => {
    const bob = await s.createUser('bob5');
    const roomId = await roomWith(bob);
    const first = await sync(s, bob);
    await r.ok('PUT', `/user/${enc(bob.userId)}/rooms/${enc(roomId)}/account_data/org.example.tag`, bob, { colour: 'green' });
    const next = await sync(s, bob, since(first.next_batch));
    assert.deepEqual(next.rooms.join[roomId].account_data.events, [{ type: 'org.example.tag', content: { colour: 'green' } }]);
    assert.ok(!next.account_data.events.some((e: Ev) => e.type === 'org.example.tag'), 'not in the global account data');
    assertNoRooms(await sync(s, bob, since(next.next_batch)));
    const initial = await sync(s, bob);
    assert.deepEqual(initial.rooms.join[roomId].account_data.events, [{ type: 'org.example.tag', content: { colour: 'green' } }]);
  });

  it('account_data: m.push_rules in an initial sync; a new entry is delivered once', async () => {
    const bob = await s.createUser('bob6');
    const first = await sync(s, bob);
    const pushRules = first.account_data.events.find((e: Ev) => e.type === 'm.push_rules');
    assert.ok(pushRules, 'm.push_rules in the initial sync');
    assert.ok(pushRules.content.global.override.some((rule: { rule_id: string }) => rule.rule_id === '.m.rule.master'));
    await r.ok('PUT', `/user/${enc(bob.userId)}/account_data/org.example.settings`, bob, { theme: 'dark' });
    const next = await sync(s, bob, since(first.next_batch));
    assert.deepEqual(next.account_data.events, [{ type: 'org.example.settings', content: { theme: 'dark' } }]);
    const idle = await sync(s, bob, since(next.next_batch));
    assert.deepEqual(idle.account_data.events, [], 'not repeated');
    const initial = await sync(s, bob);
    assert.deepEqual(initial.account_data.events.find((e: Ev) => e.type === 'org.example.settings')?.content, { theme: 'dark' });
  });

  it('account_data: a changed push rule brings m.push_rules back', async () => {
    const bob = await s.createUser('bob7');
    const first = await sync(s, bob);
    await r.ok('PUT', '/pushrules/global/override/.m.rule.suppress_notices/enabled', bob, { enabled: false });
    const next = await sync(s, bob, since(first.next_batch));
    const pushRules = next.account_data.events.find((e: Ev) => e.type === 'm.push_rules');
    assert.ok(pushRules);
    const rule = pushRules.content.global.override.find((x: { rule_id: string }) => x.rule_id === '.m.rule.suppress_notices');
    assert.equal(rule.enabled, false);
  });

  it('presence: of users sharing a room, not of others; each change once', async () => {
    const bob = await s.createUser('bob8');
    const dan = await s.createUser('dan8');
    const stranger = await s.createUser('stranger8');
    const roomId = await roomWith(bob);
    await r.join(dan, roomId);
    const first = await sync(s, bob);
    await r.ok('PUT', `/presence/${enc(dan.userId)}/status`, dan, { presence: 'unavailable', status_msg: 'lunch' });
    await r.ok('PUT', `/presence/${enc(stranger.userId)}/status`, stranger, { presence: 'online', status_msg: 'hidden' });
    const next = await sync(s, bob, since(first.next_batch));
    const events: Ev[] = next.presence.events;
    const danPresence = events.find((e) => e.sender === dan.userId);
    assert.ok(danPresence, 'presence of a room member');
    assert.equal(danPresence.type, 'm.presence');
    assert.equal(danPresence.content.presence, 'unavailable');
    assert.equal(danPresence.content.status_msg, 'lunch');
    assert.ok(!events.some((e) => e.sender === stranger.userId), 'no presence of a user sharing no room');
    const idle = await sync(s, bob, since(next.next_batch));
    assert.deepEqual(idle.presence.events, []);
    const initial = await sync(s, bob);
    assert.equal(initial.presence.events.find((e: Ev) => e.sender === dan.userId)?.content.presence, 'unavailable');
    assert.ok(!initial.presence.events.some((e: Ev) => e.sender === stranger.userId));
  });

  it('presence: users who newly share a room, either way, show with their current presence at once', async () => {
    const bob = await s.createUser('bob10');
    const gus = await s.createUser('gus10');
    const hal = await s.createUser('hal10');
    const roomId = await roomWith(bob);
    await r.ok('PUT', `/presence/${enc(gus.userId)}/status`, gus, { presence: 'unavailable', status_msg: 'away for a bit' });
    await r.ok('PUT', `/presence/${enc(hal.userId)}/status`, hal, { presence: 'unavailable', status_msg: 'in a meeting' });
    const halsRoom = await r.createRoom(hal, { preset: 'public_chat' });
    const first = await sync(s, bob, 'set_presence=offline');
    assert.ok(!first.presence.events.some((e: Ev) => e.sender === gus.userId || e.sender === hal.userId), 'no room shared yet');

    await r.join(gus, roomId);
    const afterGus = await sync(s, bob, `${since(first.next_batch)}&set_presence=offline`);
    assert.equal(afterGus.presence.events.find((e: Ev) => e.sender === gus.userId)?.content.status_msg, 'away for a bit', 'gus joined a room of bob');

    await r.join(bob, halsRoom);
    const afterJoin = await sync(s, bob, `${since(afterGus.next_batch)}&set_presence=offline`);
    assert.equal(afterJoin.presence.events.find((e: Ev) => e.sender === hal.userId)?.content.status_msg, 'in a meeting', 'bob joined a room of hal');
    assert.ok(!afterJoin.presence.events.some((e: Ev) => e.sender === gus.userId), 'gus was sent already');
  });

  it('a room joined since the last sync comes with its current typing and receipts, as in an initial sync', async () => {
    const bob = await s.createUser('bob11');
    const ida = await s.createUser('ida11');
    const roomId = await r.createRoom(ida, { preset: 'public_chat' });
    const latest = await r.send(ida, roomId, 'before bob came');
    await r.ok('POST', `${r.room(roomId)}/receipt/m.read/${enc(latest)}`, ida, {});
    await r.ok('PUT', `${r.room(roomId)}/typing/${enc(ida.userId)}`, ida, { typing: true, timeout: 30_000 });
    const first = await sync(s, bob);
    await r.join(bob, roomId);
    const next = await sync(s, bob, since(first.next_batch));
    const ephemeral: Ev[] = next.rooms.join[roomId].ephemeral.events;
    assert.deepEqual(ephemeral.find((e) => e.type === 'm.typing')?.content, { user_ids: [ida.userId] });
    const receipts = ephemeral.find((e) => e.type === 'm.receipt')?.content as Record<string, Record<string, Record<string, unknown>>> | undefined;
    assert.ok(receipts?.[latest]?.['m.read']?.[ida.userId], 'ida\'s receipt');
  });

  it('set_presence=offline does not mark the syncing user online; the default does; unavailable marks them idle', async () => {
    const eve = await s.createUser('eve9');
    const status = async () => (await r.ok('GET', `/presence/${enc(eve.userId)}/status`, eve)).presence;
    await sync(s, eve, 'set_presence=offline');
    assert.equal(await status(), 'offline');
    await sync(s, eve);
    assert.equal(await status(), 'online');
    await sync(s, eve, 'set_presence=unavailable');
    assert.equal(await status(), 'unavailable');
  });
}, describe);

forEachBackend('GET /sync: invites and knocks', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  it('rooms.invite: stripped state of the room and the invite event', async () => {
    const bob = await s.createUser('bob1');
    const roomId = await r.createRoom(alice, { preset: 'private_chat', name: 'Invite only', topic: 'secret topic' });
    await r.send(alice, roomId, 'not for invitees');
    const first = await sync(s, bob);
    await r.invite(alice, roomId, bob);
    const next = await sync(s, bob, since(first.next_batch));
    const entry = next.rooms.invite[roomId];
    assert.ok(entry, 'the room is in rooms.invite');
    assert.deepEqual(Object.keys(entry), ['invite_state']);
    const events: Ev[] = entry.invite_state.events;
    const byType = (type: string) => events.find((e) => e.type === type);
    assert.equal(byType('m.room.name')?.content.name, 'Invite only');
    assert.equal(byType('m.room.topic')?.content.topic, 'secret topic');
    assert.equal(byType('m.room.join_rules')?.content.join_rule, 'invite');
    assert.ok(byType('m.room.create'));
    const invite = events.find((e) => e.type === 'm.room.member' && e.state_key === bob.userId);
    assert.equal(invite?.content.membership, 'invite');
    assert.equal(invite?.sender, alice.userId);
    assert.ok(!events.some((e) => e.type === 'm.room.message'), 'no history');
    assert.ok(!events.some((e) => e.type === 'm.room.power_levels'), 'only the stripped state');
    assert.equal(next.rooms.join[roomId], undefined);
    // The invite is in every initial sync, and not repeated incrementally, even as the room moves on.
    assert.ok((await sync(s, bob)).rooms.invite[roomId]);
    await r.send(alice, roomId, 'still not for invitees');
    assertNoRooms(await sync(s, bob, since(next.next_batch)));
    // Accepting moves the room to rooms.join.
    await r.join(bob, roomId);
    const joined = await sync(s, bob, since(next.next_batch));
    assert.ok(joined.rooms.join[roomId]);
    assert.equal(joined.rooms.invite[roomId], undefined);
  });

  it('rooms.knock: knock_state with the knock event, in a room with join rule knock', async () => {
    const bob = await s.createUser('bob2');
    const roomId = await r.createRoom(alice, {
      preset: 'private_chat', name: 'Knock here', initial_state: [{ type: 'm.room.join_rules', content: { join_rule: 'knock' } }],
    });
    const first = await sync(s, bob);
    await r.ok('POST', `/knock/${enc(roomId)}`, bob, { reason: 'let me in' });
    const next = await sync(s, bob, since(first.next_batch));
    const entry = next.rooms.knock[roomId];
    assert.ok(entry, 'the room is in rooms.knock');
    const events: Ev[] = entry.knock_state.events;
    assert.equal(events.find((e) => e.type === 'm.room.join_rules')?.content.join_rule, 'knock');
    assert.equal(events.find((e) => e.type === 'm.room.name')?.content.name, 'Knock here');
    const knock = events.find((e) => e.type === 'm.room.member' && e.state_key === bob.userId);
    assert.equal(knock?.content.membership, 'knock');
    assert.equal(knock?.content.reason, 'let me in');
    assert.ok((await sync(s, bob)).rooms.knock[roomId], 'in an initial sync too');
    // The room's members see the knock in their timeline.
    const aliceView = await sync(s, alice, since(first.next_batch));
    assert.ok(aliceView.rooms.join[roomId].timeline.events.some((e: Ev) => e.state_key === bob.userId && e.content.membership === 'knock'));
  });

  /** The types of stripped state whose content redaction removes, each set at creation and then redacted. */
  const REDACTABLE_STRIPPED = ['m.room.name', 'm.room.topic', 'm.room.avatar', 'm.room.canonical_alias', 'm.room.encryption'];

  async function roomWithRedactedState(joinRule: string, alias: string): Promise<string> {
    const roomId = await r.createRoom(alice, {
      preset: 'private_chat', room_version: '10', name: 'Secret name', topic: 'secret topic', room_alias_name: alias,
      initial_state: [
        { type: 'm.room.join_rules', content: { join_rule: joinRule } },
        { type: 'm.room.avatar', content: { url: 'mxc://example.org/secret' } },
        { type: 'm.room.encryption', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
      ],
    });
    for (const [i, type] of REDACTABLE_STRIPPED.entries()) {
      const event = await r.ok('GET', `${r.room(roomId)}/state/${type}/?format=event`, alice);
      await r.ok('PUT', `${r.room(roomId)}/redact/${enc(event.event_id)}/strip${i}`, alice, {});
    }
    return roomId;
  }

  function assertRedactedStrippedState(events: Ev[]): void {
    for (const type of REDACTABLE_STRIPPED) {
      const event = events.find((e) => e.type === type);
      assert.ok(event, `${type} is in the stripped state`);
      assert.deepEqual(event.content, {}, `${type} shows its redacted content`);
    }
    assert.ok(!JSON.stringify(events).includes('secret'), 'nothing redacted shows');
  }

  it('invite_state and knock_state show redacted state as redacted', async () => {
    const invited = await s.createUser('bob3');
    const inviteRoom = await roomWithRedactedState('invite', 'redacted-invite');
    await r.invite(alice, inviteRoom, invited);
    const invite = (await sync(s, invited)).rooms.invite[inviteRoom];
    assertRedactedStrippedState(invite.invite_state.events);

    const knocker = await s.createUser('bob4');
    const knockRoom = await roomWithRedactedState('knock', 'redacted-knock');
    await r.ok('POST', `/knock/${enc(knockRoom)}`, knocker, {});
    const knock = (await sync(s, knocker)).rooms.knock[knockRoom];
    assertRedactedStrippedState(knock.knock_state.events);
  });
}, describe);

forEachBackend('GET /sync: long-polling', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  /** Starts a long-poll of `user` from `token`, runs `act` while it waits, and returns its body. */
  async function pollDuring(user: TestUser, token: string, act: () => Promise<unknown>, timeout = 20_000): Promise<Sync> {
    const started = Date.now();
    const pending = s.request('GET', `${V3}/sync?${since(token)}&timeout=${timeout}`, { token: user.accessToken });
    await sleep(30);
    await act();
    const res = await pending;
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', `${V3}/sync`);
    assert.ok(Date.now() - started < timeout, 'returned before the timeout');
    return res.json();
  }

  it('returns when a message is sent in a joined room', async () => {
    const bob = await s.createUser('bob1');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const first = await sync(s, bob);
    const body = await pollDuring(bob, first.next_batch, () => r.send(alice, roomId, 'wake up'));
    assert.deepEqual(bodies(body.rooms.join[roomId].timeline.events), ['wake up']);
  });

  it('returns when the user is invited to a new room', async () => {
    const bob = await s.createUser('bob2');
    const roomId = await r.createRoom(alice, { preset: 'private_chat' });
    const first = await sync(s, bob);
    const body = await pollDuring(bob, first.next_batch, () => r.invite(alice, roomId, bob));
    assert.ok(body.rooms.invite[roomId]);
  });

  it('returns when account data is written, global or per room', async () => {
    const bob = await s.createUser('bob3');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const first = await sync(s, bob);
    const body = await pollDuring(bob, first.next_batch, () => r.ok('PUT', `/user/${enc(bob.userId)}/account_data/org.example.a`, bob, { a: 1 }));
    assert.deepEqual(body.account_data.events, [{ type: 'org.example.a', content: { a: 1 } }]);
    const second = await pollDuring(bob, body.next_batch,
      () => r.ok('PUT', `/user/${enc(bob.userId)}/rooms/${enc(roomId)}/account_data/org.example.b`, bob, { b: 2 }));
    assert.deepEqual(second.rooms.join[roomId].account_data.events, [{ type: 'org.example.b', content: { b: 2 } }]);
  });

  it('returns when someone starts typing in a joined room', async () => {
    const bob = await s.createUser('bob4');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const first = await sync(s, bob);
    const body = await pollDuring(bob, first.next_batch, () => r.ok('PUT', `${r.room(roomId)}/typing/${enc(alice.userId)}`, alice, { typing: true }));
    assert.deepEqual(body.rooms.join[roomId].ephemeral.events.find((e: Ev) => e.type === 'm.typing')?.content, { user_ids: [alice.userId] });
    await r.ok('PUT', `${r.room(roomId)}/typing/${enc(alice.userId)}`, alice, { typing: false });
  });

  it('returns when a room member changes presence', async () => {
    const bob = await s.createUser('bob5');
    const dan = await s.createUser('dan5');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    await r.join(dan, roomId);
    const first = await sync(s, bob);
    const body = await pollDuring(bob, first.next_batch, () => r.ok('PUT', `/presence/${enc(dan.userId)}/status`, dan, { presence: 'unavailable' }));
    assert.equal(body.presence.events.find((e: Ev) => e.sender === dan.userId)?.content.presence, 'unavailable');
  });

  it('does not return early for activity in rooms the user is not in, and then comes back empty', async () => {
    const bob = await s.createUser('bob6');
    const stranger = await s.createUser('stranger6');
    const elsewhere = await r.createRoom(alice, { preset: 'public_chat' });
    const first = await sync(s, bob);
    const started = Date.now();
    const pending = s.request('GET', `${V3}/sync?${since(first.next_batch)}&timeout=300`, { token: bob.accessToken });
    await sleep(30);
    await r.send(alice, elsewhere, 'not for bob');
    await r.ok('PUT', `${r.room(elsewhere)}/typing/${enc(alice.userId)}`, alice, { typing: true });
    await r.ok('PUT', `/presence/${enc(stranger.userId)}/status`, stranger, { presence: 'online' });
    await r.ok('PUT', `/user/${enc(alice.userId)}/account_data/org.example.other`, alice, { x: 1 });
    const res = await pending;
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', `${V3}/sync`);
    assert.ok(Date.now() - started >= 250, `waited for the timeout (${Date.now() - started} ms)`);
    const body = res.json();
    assertNoRooms(body);
    assert.deepEqual(body.account_data.events, []);
    assert.deepEqual(body.presence.events, []);
    assert.equal(typeof body.next_batch, 'string');
    await r.ok('PUT', `${r.room(elsewhere)}/typing/${enc(alice.userId)}`, alice, { typing: false });
  });

  it('an initial sync never waits, whatever the timeout', async () => {
    const bob = await s.createUser('bob7');
    const started = Date.now();
    const body = await sync(s, bob, 'timeout=10000');
    assert.ok(Date.now() - started < 5000);
    assert.equal(typeof body.next_batch, 'string');
  });
}, describe);
