import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { validateAgainstSpec } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * Who may do what to a room: every room read and membership endpoint against every relation of the
 * caller to the room, in one table (LEAVING.md, the spec, and src/services/rooms/room-access.ts).
 *
 * Each cell that writes gets a fresh room, so that cells never depend on each other's writes (reads and refusals
 * share one room per relation: they write nothing). The private room:
 * join rule `knock` (invite-only for joining, and knocking possible), history visibility `shared`, a
 * topic and a message from before the caller's relation began, and a topic and a message from after
 * it. The caller has power level 50 in every relation (a moderator), so that "joined" shows the
 * happy path of kick/ban/unban/redact/state and every other relation shows that the power level alone
 * grants nothing once the caller is not in the room.
 *
 * Nothing leaks: an error body holds only `errcode`, `error` (and `soft_logout` for 401s); its text
 * never contains event content, state, event IDs or member IDs that the request did not name; and a
 * departed (or never-joined) caller's successful reads never contain anything from after their leave.
 */

const RELATIONS = ['joined', 'invited', 'knocking', 'left', 'kicked', 'banned', 'forgotten', 'never', 'otherUser', 'loggedOut', 'noToken'] as const;
type Relation = (typeof RELATIONS)[number];
/**
 * - joined / invited / knocking: the caller's current membership.
 * - left: joined, sent a message, left. kicked / banned: joined, sent a message, then was kicked / banned by the owner.
 * - forgotten: joined, sent a message, left, forgot the room.
 * - never: a user who never had a membership in the room.
 * - otherUser: acting on someone else's behalf. The caller's own (valid) token is a stranger's, while the request
 *   names a joined member: in the path where the endpoint has a {userId} (typing), else as the application-service
 *   masquerade parameter `?user_id=` (which must mean nothing for an ordinary user's token). The caller must be judged
 *   as who they are: exactly like "never".
 * - loggedOut: a joined member's token after POST /logout.
 * - noToken: a joined member's request without any access token.
 */

const OK = '200';
const FORBIDDEN = '403 M_FORBIDDEN';
const NOT_FOUND = '404 M_NOT_FOUND';
const IN_ROOM = '400 M_UNKNOWN';
const UNKNOWN_TOKEN = '401 M_UNKNOWN_TOKEN';
const MISSING_TOKEN = '401 M_MISSING_TOKEN';
type Expect = typeof OK | typeof FORBIDDEN | typeof NOT_FOUND | typeof IN_ROOM | typeof UNKNOWN_TOKEN | typeof MISSING_TOKEN;

type Endpoint =
  | 'GET messages' | 'GET context' | 'GET event' | 'GET event (later)' | 'GET state' | 'GET state/type/key' | 'GET members' | 'GET joined_members' | 'GET aliases'
  | 'POST join' | 'POST leave' | 'POST forget' | 'POST invite' | 'POST kick' | 'POST ban' | 'POST unban' | 'POST knock'
  | 'PUT send' | 'PUT state' | 'PUT redact' | 'PUT typing' | 'GET publicRooms' | 'POST join (unknown room)'
  | 'GET relations' | 'GET threads' | 'POST search' | 'POST search (later)' | 'POST report event' | 'POST report room' | 'GET timestamp_to_event'
  | 'POST upgrade' | AdminEndpoint;
/** Synapse's room admin API: server admins only, whatever the caller's relation to the room (even its moderator). */
type AdminEndpoint =
  | 'GET admin rooms' | 'GET admin room' | 'GET admin room members' | 'GET admin room state' | 'GET admin block' | 'PUT admin block'
  | 'DELETE admin v1 room' | 'DELETE admin v2 room' | 'GET admin delete_status' | 'POST admin make_room_admin' | 'POST admin join'
  | 'POST admin purge_history' | 'GET admin purge_history_status';

/**
 * The private (`knock`, `shared`) room. Columns are RELATIONS, in order.
 *
 * Reasons for the cells that are not obvious:
 * - invited / knocking cannot read the room (403; /event 404): they get the stripped state of their invite or knock
 *   in /sync, never full state, members or messages (as Synapse; room-access.ts).
 * - left / kicked / banned read the room as it was at their leave (LEAVING.md), so 200; the after-leave topic and
 *   message must not be in the reply (checked for every 200 of a departed caller). GET joined_members is the
 *   exception: it lists today's members to current members only (spec: "The current user must be in the room").
 * - GET event answers 404, never 403, for an event the caller may not see (LEAVING.md), including forgotten rooms.
 *   "GET event" asks for the owner's message from before the caller's relation began, "GET event (later)" for the one
 *   after it: a departed caller never sees the latter.
 * - GET aliases: the room's published aliases, to whoever may read the room (spec: 403 otherwise; Synapse allows
 *   departed users too).
 * - POST join: the room is invite/knock only, so only an invited (or already joined: idempotent) user may join;
 *   a knock is not an invite. A ban is never lifted by joining.
 * - POST leave: LEAVING.md's table: already out 200 without an event (forgotten is "already out" too), banned 403,
 *   no membership 404.
 * - POST forget: LEAVING.md's table: 400 M_UNKNOWN while joined, invited or knocking, else 200 (idempotent).
 * - POST invite / kick / ban / unban / PUT state / PUT redact: the caller is a moderator (power 50), but only a joined
 *   member may act; the owner's message is the one redacted.
 * - POST knock: the auth rules (v10/v11 "membership is knock") allow a knock unless the sender is joined, invited or
 *   banned; a knock while knocking is allowed again (the rules say so), as is a knock after leaving or being kicked.
 * - PUT typing: only for oneself, and only while joined (typing.ts).
 * - GET publicRooms: any user with a token (allow_public_rooms_without_auth is off by default).
 * - POST join (unknown room): a room that does not exist answers as one the caller may not join, whatever the
 *   caller's relation to some other room: 403, nothing about the room.
 * - GET relations / GET threads (v1): read as GET messages is (relations.ts), the thread in the early message's
 *   thread: a departed caller sees the reply from before their leave, never the one after it.
 * - loggedOut / noToken: authentication comes before anything else.
 */
const PRIVATE_ROOM: Record<Endpoint, readonly Expect[]> = {
  //                     joined     invited    knocking   left       kicked     banned     forgotten  never      otherUser  loggedOut      noToken
  'GET messages':       [OK,        FORBIDDEN, FORBIDDEN, OK,        OK,        OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET context':        [OK,        FORBIDDEN, FORBIDDEN, OK,        OK,        OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET event':          [OK,        NOT_FOUND, NOT_FOUND, OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET event (later)':  [OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET state':          [OK,        FORBIDDEN, FORBIDDEN, OK,        OK,        OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET state/type/key': [OK,        FORBIDDEN, FORBIDDEN, OK,        OK,        OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET members':        [OK,        FORBIDDEN, FORBIDDEN, OK,        OK,        OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET joined_members': [OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET aliases':        [OK,        FORBIDDEN, FORBIDDEN, OK,        OK,        OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST join':          [OK,        OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST leave':         [OK,        OK,        OK,        OK,        OK,        FORBIDDEN, OK,        NOT_FOUND, NOT_FOUND, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST forget':        [IN_ROOM,   IN_ROOM,   IN_ROOM,   OK,        OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST invite':        [OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST kick':          [OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST ban':           [OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST unban':         [OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST knock':         [FORBIDDEN, FORBIDDEN, OK,        OK,        OK,        FORBIDDEN, OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'PUT send':           [OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'PUT state':          [OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'PUT redact':         [OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'PUT typing':         [OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET publicRooms':    [OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST join (unknown room)': [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET relations':      [OK,        FORBIDDEN, FORBIDDEN, OK,        OK,        OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET threads':        [OK,        FORBIDDEN, FORBIDDEN, OK,        OK,        OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET admin rooms':   [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET admin room':    [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET admin room members': [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET admin room state': [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET admin block':   [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'PUT admin block':   [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'DELETE admin v1 room': [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'DELETE admin v2 room': [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET admin delete_status': [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST admin make_room_admin': [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST admin join':   [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST admin purge_history': [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET admin purge_history_status': [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  // Search answers everyone with a token; what it finds is SEARCH_FINDS (below). Reporting an event needs a joined
  // reporter and is 404 otherwise (spec: do not reveal); a room that exists anyone may report.
  'POST search':        [OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST search (later)': [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST report event':  [OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST report room':   [OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  // The latest event (dir=b from the end of time): a departed caller's is from before their leave, as /messages.
  // (Room summaries and hierarchies are not rows here: a knockable room is summarised to anyone, today's topic included, as the spec says.)
  'GET timestamp_to_event': [OK, FORBIDDEN, FORBIDDEN, OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  // Upgrading needs the level of m.room.tombstone (100 in a new room): the joined moderator lacks it, the others are
  // not in the room, so nobody here may (the creator's upgrade is test/api/room-upgrade.test.ts).
  'POST upgrade':       [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
};

/**
 * Whom `POST /search` shows the owner's message from before the caller's relation began ('POST search') and the one
 * after it ('POST search (later)'): the room's readers, as /messages (LEAVING.md); a departed caller only up to their
 * leave; the forgotten, invited, knocking and strangers nothing at all.
 */
const SEARCH_FINDS: Partial<Record<Endpoint, readonly Relation[]>> = {
  'POST search': ['joined', 'left', 'kicked', 'banned'],
  'POST search (later)': ['joined'],
};
/** POSTs that change nothing another cell could see: they share the relation's fixture as reads do. */
const SHARES_FIXTURE = new Set<Endpoint>(['POST search', 'POST search (later)', 'POST report event', 'POST report room']);

const WR_RELATIONS = ['invited', 'left', 'forgotten', 'never', 'otherUser', 'loggedOut', 'noToken'] as const satisfies readonly Relation[];
/**
 * A separate `world_readable` room (join rule `invite`): readable by any user, whatever their relation, including the
 * forgotten (LEAVING.md) and invited; reading is not writing, and an access token is still required (Hearth has no
 * guest access). Departed users read it as anyone does: today's state, not the state at their leave.
 */
const WORLD_READABLE_ROOM: Partial<Record<Endpoint, readonly Expect[]>> = {
  //                     invited    left       forgotten  never      otherUser  loggedOut      noToken
  'GET messages':       [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET context':        [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET event':          [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET event (later)':  [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET state':          [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET state/type/key': [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET members':        [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET joined_members': [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET aliases':        [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'POST join':          [OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'PUT send':           [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'PUT state':          [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'PUT typing':         [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET relations':      [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET threads':        [OK,        OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
  'GET timestamp_to_event': [OK,    OK,        OK,        OK,        OK,        UNKNOWN_TOKEN, MISSING_TOKEN],
};

type OtherUserEndpoint =
  | 'PUT typing' | 'PUT profile displayname' | 'PUT account_data' | 'GET account_data' | 'PUT room account_data'
  | 'GET room account_data' | 'POST filter' | 'GET filter' | 'PUT presence' | 'PUT ignored_user_list'
  | 'GET tags' | 'PUT tag' | 'DELETE tag';
/**
 * Acting on someone else's behalf with one's own valid token, as a joined member of the room, where the path names
 * another joined member: never allowed (403), and never a 404 that would reveal whether the other user's data exists.
 */
const OTHER_USER_IN_PATH: Record<OtherUserEndpoint, Expect> = {
  'PUT typing': FORBIDDEN,
  'PUT profile displayname': FORBIDDEN,
  'PUT account_data': FORBIDDEN,
  'GET account_data': FORBIDDEN,
  'PUT room account_data': FORBIDDEN,
  'GET room account_data': FORBIDDEN,
  'POST filter': FORBIDDEN,
  'GET filter': FORBIDDEN,
  'PUT presence': FORBIDDEN,
  // With a malformed list: whose list it is is checked before what it holds.
  'PUT ignored_user_list': FORBIDDEN,
  'GET tags': FORBIDDEN,
  'PUT tag': FORBIDDEN,
  'DELETE tag': FORBIDDEN,
};

const CELLS = RELATIONS.length * Object.keys(PRIVATE_ROOM).length
  + WR_RELATIONS.length * Object.keys(WORLD_READABLE_ROOM).length
  + Object.keys(OTHER_USER_IN_PATH).length;

/** One room with the caller in one relation to it; every secret is unique to the fixture. */
interface Fixture {
  roomId: string;
  alias: string;
  owner: TestUser;
  /** The user whose relation is under test (for noToken a joined member who sends no token; for otherUser a stranger). */
  caller: TestUser;
  /** The token sent, if any. */
  token: string | undefined;
  /** Query string masquerading as another user (otherUser only). */
  masquerade: string;
  /** A joined member named in the path of "on someone else's behalf" requests. */
  witness: TestUser;
  /** Kick and ban target (joined), unban target (banned), invite target (no membership). */
  kickTarget: TestUser;
  bannedUser: TestUser;
  inviteTarget: TestUser;
  /** The owner's message from before the relation began; readable by departed callers. */
  earlyEventId: string;
  /** Texts and IDs from after the caller's relation began: a departed caller must never see them. */
  after: string[];
  /** The topic (and the owner's message) from before and after the caller's relation began. */
  topicBefore: string;
  topicAfter: string;
  earlyText: string;
  lateText: string;
  lateEventId: string;
  /** Replies in the early message's thread from before and after the caller's relation began. */
  earlyReply: string;
  lateReply: string;
  /** Every text of the room that is not the caller's own: never in an error body. */
  secrets: string[];
}

let seq = 0;

forEachBackend('authorization matrix', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
  });
  after(() => s.close());

  const enc = encodeURIComponent;
  const user = (name: string) => s.createUser(`${name}-${++seq}`);

  async function fixture(relation: Relation, worldReadable: boolean): Promise<Fixture> {
    const n = ++seq;
    const [owner, caller, witness, kickTarget, bannedUser, inviteTarget] = await Promise.all(
      ['owner', 'caller', 'witness', 'target', 'banned', 'invitee'].map((name) => user(name)));
    const secret = (what: string) => `${what}-secret-${n}-${Math.random().toString(36).slice(2)}`;
    const topicBefore = secret('topic-before');
    const alias = `room-${n}`;
    const roomId = await r.createRoom(owner!, {
      preset: 'private_chat',
      room_alias_name: alias,
      topic: topicBefore,
      initial_state: [
        { type: 'm.room.join_rules', content: { join_rule: worldReadable ? 'invite' : 'knock' } },
        { type: 'm.room.history_visibility', content: { history_visibility: worldReadable ? 'world_readable' : 'shared' } },
      ],
      power_level_content_override: { users: { [owner!.userId]: 100, [caller!.userId]: 50 } },
    });
    for (const member of [witness!, kickTarget!, bannedUser!]) {
      await r.invite(owner!, roomId, member);
      await r.join(member, roomId);
    }
    await r.ban(owner!, roomId, bannedUser!);
    const earlyText = secret('message-before');
    const earlyEventId = await r.send(owner!, roomId, earlyText);
    const threadReply = async (body: string) => (await r.ok('PUT', `/rooms/${enc(roomId)}/send/m.room.message/tr${++seq}`, owner!, {
      msgtype: 'm.text', body, 'm.relates_to': { rel_type: 'm.thread', event_id: earlyEventId },
    })).event_id as string;
    const earlyReply = secret('reply-before');
    await threadReply(earlyReply);

    const joinAndSpeak = async () => {
      await r.invite(owner!, roomId, caller!);
      await r.join(caller!, roomId);
      await r.send(caller!, roomId, `own message ${n}`);
    };
    let token: string | undefined = caller!.accessToken;
    let masquerade = '';
    switch (relation) {
      case 'joined':
        await joinAndSpeak();
        break;
      case 'invited':
        await r.invite(owner!, roomId, caller!);
        break;
      case 'knocking':
        await r.ok('POST', `/knock/${enc(roomId)}`, caller!, {});
        break;
      case 'left':
        await joinAndSpeak();
        await r.leave(caller!, roomId);
        break;
      case 'kicked':
        await joinAndSpeak();
        await r.kick(owner!, roomId, caller!);
        break;
      case 'banned':
        await joinAndSpeak();
        await r.ban(owner!, roomId, caller!);
        break;
      case 'forgotten':
        await joinAndSpeak();
        await r.leave(caller!, roomId);
        await r.forget(caller!, roomId);
        break;
      case 'never':
        break;
      case 'otherUser':
        masquerade = `user_id=${enc(witness!.userId)}`;
        break;
      case 'loggedOut':
        await joinAndSpeak();
        await r.ok('POST', '/logout', caller!, {});
        break;
      case 'noToken':
        await joinAndSpeak();
        token = undefined;
        break;
    }

    const lateText = secret('message-after');
    const lateEventId = await r.send(owner!, roomId, lateText);
    const lateReply = secret('reply-after');
    const lateReplyId = await threadReply(lateReply);
    const topicAfter = secret('topic-after');
    await r.putState(owner!, roomId, 'm.room.topic', { topic: topicAfter });
    const after = [lateText, lateEventId, topicAfter, lateReply, lateReplyId];
    return {
      roomId, alias: `#${alias}:hs.test`, owner: owner!, caller: caller!, token, masquerade, witness: witness!,
      kickTarget: kickTarget!, bannedUser: bannedUser!, inviteTarget: inviteTarget!, earlyEventId,
      after, secrets: [topicBefore, earlyText, earlyEventId, earlyReply, ...after], topicBefore, topicAfter, earlyText, lateText, lateEventId,
      earlyReply, lateReply,
    };
  }

  type Req = { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; body?: unknown };
  function requestFor(endpoint: Endpoint, f: Fixture): Req {
    const room = `${V3}/rooms/${enc(f.roomId)}`;
    const adminRoom = `/_synapse/admin/v1/rooms/${enc(f.roomId)}`;
    const q = (url: string) => (f.masquerade ? `${url}${url.includes('?') ? '&' : '?'}${f.masquerade}` : url);
    const req = ((): Req => {
      switch (endpoint) {
        case 'GET messages': return { method: 'GET', url: `${room}/messages?dir=b&limit=50` };
        case 'GET context': return { method: 'GET', url: `${room}/context/${enc(f.earlyEventId)}?limit=10` };
        case 'GET event': return { method: 'GET', url: `${room}/event/${enc(f.earlyEventId)}` };
        case 'GET event (later)': return { method: 'GET', url: `${room}/event/${enc(f.lateEventId)}` };
        case 'GET state': return { method: 'GET', url: `${room}/state` };
        case 'GET state/type/key': return { method: 'GET', url: `${room}/state/m.room.topic/` };
        case 'GET members': return { method: 'GET', url: `${room}/members` };
        case 'GET joined_members': return { method: 'GET', url: `${room}/joined_members` };
        case 'GET aliases': return { method: 'GET', url: `${room}/aliases` };
        case 'POST join': return { method: 'POST', url: `${room}/join`, body: {} };
        case 'POST join (unknown room)': return { method: 'POST', url: `${V3}/rooms/${enc('!no-such-room:hs.test')}/join`, body: {} };
        case 'GET publicRooms': return { method: 'GET', url: `${V3}/publicRooms` };
        case 'POST leave': return { method: 'POST', url: `${room}/leave`, body: {} };
        case 'POST forget': return { method: 'POST', url: `${room}/forget`, body: {} };
        case 'POST invite': return { method: 'POST', url: `${room}/invite`, body: { user_id: f.inviteTarget.userId } };
        case 'POST kick': return { method: 'POST', url: `${room}/kick`, body: { user_id: f.kickTarget.userId } };
        case 'POST ban': return { method: 'POST', url: `${room}/ban`, body: { user_id: f.kickTarget.userId } };
        case 'POST unban': return { method: 'POST', url: `${room}/unban`, body: { user_id: f.bannedUser.userId } };
        case 'POST knock': return { method: 'POST', url: `${V3}/knock/${enc(f.roomId)}`, body: {} };
        case 'PUT send': return { method: 'PUT', url: `${room}/send/m.room.message/m${++seq}`, body: { msgtype: 'm.text', body: 'hello' } };
        case 'PUT state': return { method: 'PUT', url: `${room}/state/m.room.topic/`, body: { topic: 'new topic' } };
        case 'POST upgrade': return { method: 'POST', url: `${room}/upgrade`, body: { new_version: '11' } };
        case 'PUT redact': return { method: 'PUT', url: `${room}/redact/${enc(f.earlyEventId)}/r${++seq}`, body: {} };
        case 'GET relations': return { method: 'GET', url: `/_matrix/client/v1/rooms/${enc(f.roomId)}/relations/${enc(f.earlyEventId)}` };
        case 'GET threads': return { method: 'GET', url: `/_matrix/client/v1/rooms/${enc(f.roomId)}/threads` };
        case 'POST search': return { method: 'POST', url: `${V3}/search`, body: { search_categories: { room_events: { search_term: f.earlyText } } } };
        case 'POST search (later)': return { method: 'POST', url: `${V3}/search`, body: { search_categories: { room_events: { search_term: f.lateText } } } };
        case 'POST report event': return { method: 'POST', url: `${room}/report/${enc(f.earlyEventId)}`, body: { reason: 'r' } };
        case 'POST report room': return { method: 'POST', url: `${room}/report`, body: { reason: 'r' } };
        case 'GET timestamp_to_event': return { method: 'GET', url: `/_matrix/client/v1/rooms/${enc(f.roomId)}/timestamp_to_event?ts=${Number.MAX_SAFE_INTEGER}&dir=b` };
        case 'PUT typing': {
          const target = f.masquerade ? f.witness : f.caller;
          return { method: 'PUT', url: `${room}/typing/${enc(target.userId)}`, body: { typing: true, timeout: 1000 } };
        }
        case 'GET admin rooms': return { method: 'GET', url: '/_synapse/admin/v1/rooms' };
        case 'GET admin room': return { method: 'GET', url: `${adminRoom}` };
        case 'GET admin room members': return { method: 'GET', url: `${adminRoom}/members` };
        case 'GET admin room state': return { method: 'GET', url: `${adminRoom}/state` };
        case 'GET admin block': return { method: 'GET', url: `${adminRoom}/block` };
        case 'PUT admin block': return { method: 'PUT', url: `${adminRoom}/block`, body: { block: true } };
        case 'DELETE admin v1 room': return { method: 'DELETE', url: adminRoom, body: {} };
        case 'DELETE admin v2 room': return { method: 'DELETE', url: `/_synapse/admin/v2/rooms/${enc(f.roomId)}`, body: {} };
        case 'GET admin delete_status': return { method: 'GET', url: `/_synapse/admin/v2/rooms/${enc(f.roomId)}/delete_status` };
        case 'POST admin make_room_admin': return { method: 'POST', url: `${adminRoom}/make_room_admin`, body: { user_id: f.caller.userId } };
        case 'POST admin purge_history': return { method: 'POST', url: `/_synapse/admin/v1/purge_history/${enc(f.roomId)}`, body: { purge_up_to_event_id: f.lateEventId, delete_local_events: true } };
        case 'GET admin purge_history_status': return { method: 'GET', url: '/_synapse/admin/v1/purge_history_status/x' };
        case 'POST admin join': return { method: 'POST', url: `/_synapse/admin/v1/join/${enc(f.roomId)}`, body: { user_id: f.inviteTarget.userId } };
      }
    })();
    // With {userId} in the path, the path itself names the other user.
    return endpoint === 'PUT typing' ? req : { ...req, url: q(req.url) };
  }

  function otherUserRequest(endpoint: OtherUserEndpoint, f: Fixture, filterId: string): Req {
    const other = enc(f.witness.userId);
    const room = enc(f.roomId);
    switch (endpoint) {
      case 'PUT typing': return { method: 'PUT', url: `${V3}/rooms/${room}/typing/${other}`, body: { typing: true, timeout: 1000 } };
      case 'PUT profile displayname': return { method: 'PUT', url: `${V3}/profile/${other}/displayname`, body: { displayname: 'impostor' } };
      case 'PUT account_data': return { method: 'PUT', url: `${V3}/user/${other}/account_data/org.example.secret`, body: { x: 1 } };
      case 'GET account_data': return { method: 'GET', url: `${V3}/user/${other}/account_data/org.example.secret` };
      case 'PUT room account_data': return { method: 'PUT', url: `${V3}/user/${other}/rooms/${room}/account_data/org.example.secret`, body: { x: 1 } };
      case 'GET room account_data': return { method: 'GET', url: `${V3}/user/${other}/rooms/${room}/account_data/org.example.secret` };
      case 'POST filter': return { method: 'POST', url: `${V3}/user/${other}/filter`, body: { room: { timeline: { limit: 1 } } } };
      case 'GET filter': return { method: 'GET', url: `${V3}/user/${other}/filter/${enc(filterId)}` };
      case 'PUT presence': return { method: 'PUT', url: `${V3}/presence/${other}/status`, body: { presence: 'online' } };
      case 'PUT ignored_user_list': return { method: 'PUT', url: `${V3}/user/${other}/account_data/m.ignored_user_list`, body: { ignored_users: [] } };
      case 'GET tags': return { method: 'GET', url: `${V3}/user/${other}/rooms/${room}/tags` };
      case 'PUT tag': return { method: 'PUT', url: `${V3}/user/${other}/rooms/${room}/tags/u.secret`, body: { order: 0.5 } };
      case 'DELETE tag': return { method: 'DELETE', url: `${V3}/user/${other}/rooms/${room}/tags/u.secret` };
    }
  }

  const send = (req: Req, token: string | undefined) =>
    s.request(req.method, req.url, { ...(token === undefined ? {} : { token }), ...(req.body === undefined ? {} : { body: req.body }) });

  /**
   * What a successful read must hold, so that an empty 200 cannot pass: a departed caller sees the room as it was at
   * their leave (the topic from before), everyone else today's room.
   */
  function mustContain(endpoint: Endpoint, f: Fixture, departed: boolean): string | undefined {
    switch (endpoint) {
      case 'GET messages': return departed ? f.earlyText : f.lateText;
      case 'GET context': case 'GET event': return f.earlyText;
      case 'GET event (later)': return f.lateText;
      case 'GET state': case 'GET state/type/key': return departed ? f.topicBefore : f.topicAfter;
      case 'GET members': case 'GET joined_members': return f.witness.userId;
      case 'GET aliases': return f.alias;
      case 'GET relations': case 'GET threads': return departed ? f.earlyReply : f.lateReply;
      default: return undefined;
    }
  }

  /** Checks one cell; returns a failure description instead of throwing, so that one run reports every wrong cell. */
  function judge(cell: string, expected: Expect, res: LightMyRequestResponse, req: Req, f: Fixture, departed: boolean, endpoint?: Endpoint): string | undefined {
    const [status, errcode] = expected.split(' ') as [string, string | undefined];
    const got = res.statusCode === 200 ? '200' : `${res.statusCode} ${safeErrcode(res)}`;
    if (res.statusCode !== Number(status) || (errcode !== undefined && got !== expected)) {
      return `${cell}: expected ${expected}, got ${got}: ${res.body.slice(0, 300)}`;
    }
    if (!String(res.headers['content-type']).startsWith('application/json')) return `${cell}: not JSON (${res.headers['content-type']})`;
    const named = `${req.url} ${JSON.stringify(req.body ?? '')}`;
    if (res.statusCode >= 400) {
      const body = res.json() as Record<string, unknown>;
      const extra = Object.keys(body).filter((k) => !['errcode', 'error', 'soft_logout'].includes(k));
      if (extra.length > 0) return `${cell}: error body has extra fields ${extra.join(', ')}: ${res.body}`;
      if (typeof body.error !== 'string') return `${cell}: error body without a string "error"`;
      // Members that the request did not name: the owner and the other members.
      const unnamed = [f.owner, f.witness, f.kickTarget, f.bannedUser, f.inviteTarget].map((u) => u.userId).filter((id) => !named.includes(id));
      const leaked = [...f.secrets, ...unnamed].filter((x) => !named.includes(x) && res.body.includes(x));
      if (leaked.length > 0) return `${cell}: error body leaks ${leaked.join(', ')}: ${res.body}`;
      // Synapse's admin API is in no spec: nothing to validate its errors against.
      if (res.statusCode !== 401 && !req.url.startsWith('/_synapse/')) {
        const verdict = validateAgainstSpec({ method: req.method, url: req.url, status: res.statusCode, body });
        if (!verdict.ok && !/is undocumented/.test(verdict.errors)) return `${cell}: error body against the spec: ${verdict.errors}`;
      }
    } else {
      const leaked = departed ? f.after.filter((x) => res.body.includes(x)) : [];
      if (leaked.length > 0) return `${cell}: a departed user sees what came after their leave: ${leaked.join(', ')}`;
      const wanted = endpoint && mustContain(endpoint, f, departed);
      if (wanted !== undefined && !res.body.includes(wanted)) return `${cell}: the reply lacks ${wanted}: ${res.body.slice(0, 300)}`;
      const verdict = validateAgainstSpec({ method: req.method, url: req.url, status: res.statusCode, body: res.json() });
      if (!verdict.ok) return `${cell}: reply against the spec: ${verdict.errors}`;
    }
    return undefined;
  }

  it(`every room endpoint × every relation of the caller: ${CELLS} cells, each with status, errcode and no leak`, async () => {
    const failures: string[] = [];
    let checked = 0;
    // Reads change nothing, and neither does a refused write: those cells share one fixture per room and relation.
    // A write that is expected to succeed gets a fresh one. (A refusal that wrongly succeeds fails its own cell.)
    const shared = new Map<string, Fixture>();
    const fixtureFor = async (endpoint: Endpoint, relation: Relation, worldReadable: boolean, expected: Expect) => {
      if (!endpoint.startsWith('GET ') && !SHARES_FIXTURE.has(endpoint) && expected === OK) return fixture(relation, worldReadable);
      const key = `${worldReadable}:${relation}`;
      const f = shared.get(key) ?? await fixture(relation, worldReadable);
      shared.set(key, f);
      return f;
    };
    const tables = [
      { name: 'private room', table: PRIVATE_ROOM, relations: RELATIONS, worldReadable: false },
      { name: 'world-readable room', table: WORLD_READABLE_ROOM, relations: WR_RELATIONS, worldReadable: true },
    ];
    for (const { name, table, relations, worldReadable } of tables) {
      for (const [endpoint, row] of Object.entries(table) as Array<[Endpoint, readonly Expect[]]>) {
        assert.equal(row.length, relations.length, `${name} | ${endpoint}: one cell per relation`);
        for (const [i, relation] of relations.entries()) {
          const f = await fixtureFor(endpoint, relation, worldReadable, row[i]!);
          const req = requestFor(endpoint, f);
          const res = await send(req, f.token);
          // In the private room, whoever is not joined sees at most the room as it was when they left (or nothing).
          const departed = !worldReadable && relation !== 'joined';
          const failure = judge(`${name} | ${endpoint} | ${relation}`, row[i]!, res, req, f, departed, endpoint);
          if (failure) failures.push(failure);
          const finds = SEARCH_FINDS[endpoint];
          if (finds && res.statusCode === 200) {
            const text = endpoint === 'POST search' ? f.earlyText : f.lateText;
            if (res.body.includes(text) !== finds.includes(relation)) failures.push(`${name} | ${endpoint} | ${relation}: ${finds.includes(relation) ? 'should find' : 'found'} ${text}`);
          }
          checked++;
        }
      }
    }
    {
      const f = await fixture('joined', false);
      // The other user has data of each kind, so that a 404 could not stand in for the refusal.
      const put = (path: string, body: unknown) => r.ok('PUT', path, f.witness, body);
      await put(`/user/${enc(f.witness.userId)}/account_data/org.example.secret`, { x: 0 });
      await put(`/user/${enc(f.witness.userId)}/rooms/${enc(f.roomId)}/account_data/org.example.secret`, { x: 0 });
      await put(`/user/${enc(f.witness.userId)}/rooms/${enc(f.roomId)}/tags/u.secret`, {});
      const filterId = (await r.ok('POST', `/user/${enc(f.witness.userId)}/filter`, f.witness, { room: { timeline: { limit: 2 } } })).filter_id as string;
      for (const [endpoint, expected] of Object.entries(OTHER_USER_IN_PATH) as Array<[OtherUserEndpoint, Expect]>) {
        const req = otherUserRequest(endpoint, f, filterId);
        const res = await send(req, f.caller.accessToken);
        const failure = judge(`on another user's behalf | ${endpoint}`, expected, res, req, f, false);
        if (failure) failures.push(failure);
        checked++;
      }
    }
    assert.equal(checked, CELLS);
    assert.deepEqual(failures, [], `${failures.length} of ${CELLS} cells are wrong:\n${failures.join('\n')}`);
  });
}, describe);

function safeErrcode(res: LightMyRequestResponse): string {
  try {
    return String((res.json() as { errcode?: unknown }).errcode);
  } catch {
    return '(no JSON body)';
  }
}

/**
 * Synapse's admin API (users, registration tokens, event reports): admins only. Every endpoint × caller: a user who
 * is not an admin 403 M_FORBIDDEN, a logged-out admin token 401 M_UNKNOWN_TOKEN, no token 401
 * M_MISSING_TOKEN, and (for the reads, which change nothing) an admin 200. The bodies are valid,
 * so that only who asks decides; nothing is changed by a refused request.
 */
const ADMIN_ENDPOINTS: ReadonlyArray<readonly ['GET' | 'PUT' | 'POST' | 'DELETE', string, unknown?]> = [
  ['GET', '/v1/server_version'],
  ['GET', '/v2/users'],
  ['GET', '/v2/users/{target}'],
  ['PUT', '/v2/users/{target}', { admin: true }],
  ['GET', '/v1/users/{target}/admin'],
  ['PUT', '/v1/users/{target}/admin', { admin: true }],
  ['POST', '/v1/deactivate/{target}', { erase: false }],
  ['POST', '/v1/reset_password/{target}', { new_password: 'taken over' }],
  ['GET', '/v1/whois/{target}'],
  ['GET', '/v1/users/{target}/joined_rooms'],
  ['GET', '/v2/users/{target}/devices'],
  ['POST', '/v2/users/{target}/delete_devices', { devices: ['X'] }],
  ['POST', '/v1/users/{target}/login', {}],
  ['PUT', '/v1/suspend/{target}', { suspend: true }],
  ['GET', '/v1/registration_tokens'],
  ['POST', '/v1/registration_tokens/new', { token: 'made-by-anyone' }],
  ['GET', '/v1/registration_tokens/kept'],
  ['PUT', '/v1/registration_tokens/kept', { uses_allowed: 0 }],
  ['DELETE', '/v1/registration_tokens/kept'],
  ['GET', '/v1/event_reports'],
  ['GET', '/v1/event_reports/{report}'],
  ['DELETE', '/v1/event_reports/{report}'],
];

forEachBackend('authorization matrix: admin API', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend });
  });
  after(() => s.close());

  it(`every admin endpoint × admin, non-admin, logged-out and no token: ${ADMIN_ENDPOINTS.length * 4} cells`, async () => {
    const admin = await s.createUser('matrix-admin', { admin: true });
    const loggedOut = await s.createUser('matrix-admin-gone', { admin: true });
    const user = await s.createUser('matrix-user');
    const target = await s.createUser('matrix-target');
    assert.equal((await s.request('POST', `${V3}/logout`, { token: loggedOut.accessToken })).statusCode, 200);
    assert.equal((await s.request('POST', '/_synapse/admin/v1/registration_tokens/new', { token: admin.accessToken, body: { token: 'kept' } })).statusCode, 200);
    const reported = await rest(s).createRoom(target);
    const reportedEvent = await rest(s).send(target, reported, 'reported');
    const report = await s.request('POST', `${V3}/rooms/${encodeURIComponent(reported)}/report/${encodeURIComponent(reportedEvent)}`, { token: target.accessToken, body: { reason: 'kept' } });
    assert.equal(report.statusCode, 200);
    const reportId = (await s.app.store.reports.list({ limit: 1 }))[0]!.id;

    const failures: string[] = [];
    for (const [method, path, body] of ADMIN_ENDPOINTS) {
      const url = `/_synapse/admin${path.replace('{target}', encodeURIComponent(target.userId)).replace('{report}', String(reportId))}`;
      const callers: Array<[string, string | undefined, string]> = [
        ['non-admin', user.accessToken, FORBIDDEN], ['logged-out admin', loggedOut.accessToken, UNKNOWN_TOKEN], ['no token', undefined, MISSING_TOKEN],
      ];
      if (method === 'GET') callers.push(['admin', admin.accessToken, OK]);
      for (const [who, token, expected] of callers) {
        const res = await s.request(method, url, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }) });
        const got = res.statusCode === 200 ? OK : `${res.statusCode} ${safeErrcode(res)}`;
        if (got !== expected) failures.push(`${method} ${path} as ${who}: ${got}, expected ${expected}`);
        if (got !== OK) assert.deepEqual(Object.keys(res.json()).filter((k) => k !== 'soft_logout').sort(), ['errcode', 'error'], `${method} ${path}`);
      }
    }
    assert.deepEqual(failures, []);
    // Nothing a refused request asked for happened.
    const account = await s.app.store.accounts.get(target.userId);
    assert.deepEqual([account?.isAdmin, account?.deactivated, account?.suspended], [false, false, false]);
    assert.equal((await s.request('GET', `${V3}/account/whoami`, { token: target.accessToken })).statusCode, 200);
    assert.deepEqual((await s.app.store.registrationTokens.list()).map((t) => [t.token, t.usesAllowed]), [['kept', null]]);
    assert.equal((await s.app.store.reports.get(reportId))?.reason, 'kept');
  });
}, describe);

/**
 * `POST /refresh`: the refresh token is the only credential. An access token (in the header or as
 * the refresh token), a used refresh token, a logged-out device's or none: 401, and nothing issued.
 */
forEachBackend('authorization matrix: refresh tokens', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend });
  });
  after(() => s.close());

  it('only an unused refresh token of a live device refreshes', async () => {
    const login = async (user: TestUser) => (await s.request('POST', `${V3}/login`, {
      body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: user.userId }, password: user.password, refresh_token: true },
    })).json() as { access_token: string; refresh_token: string };
    const user = await s.createUser('matrix-refresh');
    const live = await login(user);
    const used = await login(user);
    assert.equal((await s.request('POST', `${V3}/refresh`, { body: { refresh_token: used.refresh_token } })).statusCode, 200);
    const gone = await login(user);
    assert.equal((await s.request('POST', `${V3}/logout`, { token: gone.access_token })).statusCode, 200);
    const cells: Array<[string, { token?: string; body: unknown }, string]> = [
      ['an access token as the refresh token', { body: { refresh_token: live.access_token } }, UNKNOWN_TOKEN],
      ['a valid access token, no refresh token', { token: live.access_token, body: {} }, '400 M_MISSING_PARAM'],
      ['a used refresh token', { body: { refresh_token: used.refresh_token } }, UNKNOWN_TOKEN],
      ['a logged-out device\'s refresh token', { body: { refresh_token: gone.refresh_token } }, UNKNOWN_TOKEN],
      ['a live refresh token', { body: { refresh_token: live.refresh_token } }, OK],
    ];
    const failures: string[] = [];
    for (const [who, call, expected] of cells) {
      const res = await s.request('POST', `${V3}/refresh`, call);
      const got = res.statusCode === 200 ? OK : `${res.statusCode} ${safeErrcode(res)}`;
      if (got !== expected) failures.push(`${who}: ${got}, expected ${expected}`);
      if (got !== OK) assert.deepEqual(Object.keys(res.json()).filter((k) => k !== 'soft_logout').sort(), ['errcode', 'error'], who);
    }
    assert.deepEqual(failures, []);
  });
}, describe);

/** OpenID tokens: only for oneself, with a live access token; an access token is no OpenID token. */
forEachBackend('authorization matrix: OpenID tokens', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, config: { federation: { port: 0 } } });
  });
  after(() => s.close());

  it('request_token: self 200, another user 403, logged out 401, no token 401; userinfo refuses access tokens', async () => {
    const user = await s.createUser('matrix-openid');
    const other = await s.createUser('matrix-openid-other');
    const gone = await s.createUser('matrix-openid-gone');
    assert.equal((await s.request('POST', `${V3}/logout`, { token: gone.accessToken })).statusCode, 200);
    const url = `${V3}/user/${encodeURIComponent(user.userId)}/openid/request_token`;
    const cells: Array<[string, string | undefined, string]> = [
      ['self', user.accessToken, OK], ['another user', other.accessToken, FORBIDDEN], ['logged out', gone.accessToken, UNKNOWN_TOKEN], ['no token', undefined, MISSING_TOKEN],
    ];
    const failures: string[] = [];
    for (const [who, token, expected] of cells) {
      const res = await s.request('POST', url, { ...(token === undefined ? {} : { token }), body: {} });
      const got = res.statusCode === 200 ? OK : `${res.statusCode} ${safeErrcode(res)}`;
      if (got !== expected) failures.push(`${who}: ${got}, expected ${expected}`);
      if (got !== OK) assert.deepEqual(Object.keys(res.json()).filter((k) => k !== 'soft_logout').sort(), ['errcode', 'error'], who);
    }
    assert.deepEqual(failures, []);
    const fed = s.app.federationHttp!;
    const info = await fed.inject({ method: 'GET', url: `/_matrix/federation/v1/openid/userinfo?access_token=${encodeURIComponent(user.accessToken)}` });
    assert.equal(`${info.statusCode} ${safeErrcode(info)}`, UNKNOWN_TOKEN);
  });
}, describe);
