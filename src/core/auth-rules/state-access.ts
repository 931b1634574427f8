import type { RoomVersion } from '../room-versions.js';
import { getRoomVersion } from '../room-versions.js';
import { MEMBERSHIPS, type Membership, type RoomEvent, type StateLookup } from '../events/types.js';

/** The state event types that affect authorisation, plus redactions which services inspect. */
export const EventType = {
  create: 'm.room.create',
  member: 'm.room.member',
  joinRules: 'm.room.join_rules',
  powerLevels: 'm.room.power_levels',
  thirdPartyInvite: 'm.room.third_party_invite',
  redaction: 'm.room.redaction',
  /** Has an auth rule of its own in v3 to v5 only. */
  aliases: 'm.room.aliases',
} as const;

export const JoinRule = {
  public: 'public',
  invite: 'invite',
  knock: 'knock',
  restricted: 'restricted',
  knockRestricted: 'knock_restricted',
  private: 'private',
} as const;

/**
 * Whether `joinRule` lets a resident vouch for a join in this room version: `restricted` from v8,
 * `knock_restricted` from v10. In older versions both are unknown rules that admit nobody.
 */
export function isRestrictedJoinRule(joinRule: unknown, roomVersion: RoomVersion): boolean {
  return (joinRule === JoinRule.restricted && roomVersion.restrictedJoinRule) || (joinRule === JoinRule.knockRestricted && roomVersion.knockRestrictedJoinRule);
}

/** Content keys are read with `Object.hasOwn` so that keys like `constructor` or `__proto__` are plain data. */
export function ownValue(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

export function createEventOf(authState: StateLookup): RoomEvent | undefined {
  return authState.get(EventType.create, '');
}

/**
 * A user's current membership, or undefined when they have none. A member event whose
 * `membership` is not one of the five known values never passes rule 4.8, so one found in
 * state is treated as no membership rather than trusted.
 */
export function membershipOf(userId: string, authState: StateLookup): Membership | undefined {
  const event = authState.get(EventType.member, userId);
  if (!event) return undefined;
  const membership = ownValue(event.content, 'membership');
  return MEMBERSHIPS.find((m) => m === membership);
}

/**
 * The room's join rule. The spec gives no default for a room without `m.room.join_rules` (or
 * without `join_rule` in it); like Synapse and Ruma we take `invite`, the most closed of the
 * rules the auth rules know. A present but non-string value is no known rule: undefined.
 */
export function joinRuleOf(authState: StateLookup): string | undefined {
  const event = authState.get(EventType.joinRules, '');
  if (!event || !Object.hasOwn(event.content, 'join_rule')) return JoinRule.invite;
  const rule = event.content['join_rule'];
  return typeof rule === 'string' ? rule : undefined;
}

/**
 * The room creator as the auth rules see it: `content.creator` of the create event up to v10,
 * the create event's `sender` from v11 (MSC2175 removed `creator`). Without an explicit room
 * version, the create event's own `room_version` decides, as it does for the whole room.
 */
export function roomCreatorOf(authState: StateLookup, roomVersion?: RoomVersion): string | undefined {
  const create = createEventOf(authState);
  if (!create) return undefined;
  const declared = ownValue(create.content, 'room_version');
  const version = roomVersion ?? (typeof declared === 'string' ? getRoomVersion(declared) : undefined);
  // Versions this server does not know (and the absent key, meaning v1) all used `creator`.
  const usesCreatorKey = version ? version.createHasCreator : true;
  if (!usesCreatorKey) return create.sender;
  const creator = ownValue(create.content, 'creator');
  return typeof creator === 'string' ? creator : undefined;
}
