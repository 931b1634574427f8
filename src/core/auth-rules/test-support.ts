/**
 * Builders for the auth-rules tests. Event IDs, hashes and signatures are placeholders:
 * signatures are verified before the auth rules run, and no rule reads hashes.
 */
import assert from 'node:assert/strict';
import { domainOf, type EventId, type RoomId, type UserId } from '../ids.js';
import type { JsonObject } from '../json.js';
import type { Membership, RoomEvent, StateLookup } from '../events/types.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import type { AuthResult } from './auth-result.js';
import { stateLookupOf } from './auth-events.js';

export const V10 = getRoomVersion('10') as RoomVersion;
export const V11 = getRoomVersion('11') as RoomVersion;
export const VERSIONS: readonly RoomVersion[] = [V10, V11];

export const ROOM = '!room:hs1' as RoomId;
/** The creator: power 100 in the default power levels below. */
export const ALICE = '@alice:hs1' as UserId;
/** A moderator: power 50. */
export const BOB = '@bob:hs1' as UserId;
/** A plain member on another server: power 0. */
export const CAROL = '@carol:hs2' as UserId;
/** Someone outside the room. */
export const DAVE = '@dave:hs3' as UserId;

let counter = 0;

export interface EventFields {
  type: string;
  sender: string;
  content?: JsonObject;
  state_key?: string;
  event_id?: string;
  room_id?: string;
  prev_events?: string[];
  auth_events?: string[];
  redacts?: string;
  signatures?: Record<string, Record<string, string>>;
}

export function event(fields: EventFields): RoomEvent {
  counter += 1;
  const built: RoomEvent = {
    event_id: (fields.event_id ?? `$event${counter}`) as EventId,
    type: fields.type,
    room_id: (fields.room_id ?? ROOM) as RoomId,
    sender: fields.sender as UserId,
    content: fields.content ?? {},
    origin_server_ts: 1_700_000_000_000 + counter,
    depth: counter,
    prev_events: (fields.prev_events ?? ['$previous']) as EventId[],
    auth_events: (fields.auth_events ?? []) as EventId[],
    hashes: { sha256: 'fakehash' },
    signatures: fields.signatures ?? { [domainOf(fields.sender)]: { 'ed25519:a': 'fakesig' } },
  };
  if (fields.state_key !== undefined) built.state_key = fields.state_key;
  if (fields.redacts !== undefined) built.redacts = fields.redacts as EventId;
  return built;
}

/** The create event of ROOM as each version writes it: v10 names the creator in content. */
export function createEvent(rv: RoomVersion, content: JsonObject = {}, sender: string = ALICE): RoomEvent {
  const base: JsonObject = rv.createHasCreator ? { creator: sender, room_version: rv.id } : { room_version: rv.id };
  return event({ type: 'm.room.create', sender, state_key: '', content: { ...base, ...content }, prev_events: [], event_id: '$create' });
}

export function member(userId: string, membership: Membership, content: JsonObject = {}, sender: string = userId): RoomEvent {
  return event({ type: 'm.room.member', sender, state_key: userId, content: { membership, ...content } });
}

export function powerLevels(content: JsonObject, sender: string = ALICE): RoomEvent {
  return event({ type: 'm.room.power_levels', sender, state_key: '', content });
}

export function joinRules(rule: string, content: JsonObject = {}): RoomEvent {
  return event({ type: 'm.room.join_rules', sender: ALICE, state_key: '', content: { join_rule: rule, ...content } });
}

export const DEFAULT_LEVELS: JsonObject = { users: { [ALICE]: 100, [BOB]: 50 } };

export interface RoomSetup {
  /** Power levels content; `null` for a room without an m.room.power_levels event. */
  levels?: JsonObject | null;
  /** Join rule; `null` for a room without an m.room.join_rules event. */
  joinRule?: string | null;
  /** Memberships besides the creator's join. */
  members?: Record<string, Membership>;
  createContent?: JsonObject;
  extra?: RoomEvent[];
}

/**
 * A room created by ALICE (joined, power 100), BOB joined with power 50, CAROL joined with 0,
 * join rule `invite`; every part can be overridden.
 */
export function room(rv: RoomVersion, setup: RoomSetup = {}): StateLookup {
  const events: RoomEvent[] = [createEvent(rv, setup.createContent ?? {}), member(ALICE, 'join')];
  const levels = setup.levels === undefined ? DEFAULT_LEVELS : setup.levels;
  if (levels !== null) events.push(powerLevels(levels));
  const rule = setup.joinRule === undefined ? 'invite' : setup.joinRule;
  if (rule !== null) events.push(joinRules(rule));
  const members: Record<string, Membership> = { [BOB]: 'join', [CAROL]: 'join', ...(setup.members ?? {}) };
  for (const [userId, membership] of Object.entries(members)) events.push(member(userId, membership));
  events.push(...(setup.extra ?? []));
  return stateLookupOf(events);
}

export function assertAllowed(result: AuthResult): void {
  assert.deepEqual(result, { allowed: true });
}

export function assertRejected(result: AuthResult, rule: string): void {
  assert.equal(result.allowed, false, 'expected a rejection');
  if (!result.allowed) {
    assert.equal(result.rule, rule, `rejected by ${result.rule} (${result.reason}), expected ${rule}`);
    assert.ok(result.reason.length > 0);
  }
}
