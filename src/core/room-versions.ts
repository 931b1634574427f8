/**
 * The room versions Hearth serves, and the rules that differ between them: each difference is a
 * flag here, read where the rule is applied, so no code compares version numbers.
 *
 * Versions 1 and 2 are not served: their events carry server-chosen event IDs and another event
 * format (`[id, hashes]` references), and v1 resolves state with the first state resolution
 * algorithm. Everything from v3 on shares the event format and state resolution v2.
 *
 * Two differences are deliberately not flags:
 * - Canonical JSON (v6, "Servers MUST strictly enforce"): Hearth hashes and signs only canonical
 *   JSON, so it refuses floats and out-of-range integers in every version; for v3 to v5 that is
 *   stricter than the spec (which lets `m.room.power_levels` hold floats), as Ruma is.
 * - The auth rule on `m.room.redaction` of v1 and v2: no served version has it.
 */
export interface RoomVersion {
  readonly id: '3' | '4' | '5' | '6' | '7' | '8' | '9' | '10' | '11';
  /** v3 writes event IDs in standard Base64, v4+ (MSC1884) in URL-safe Base64 (no `/` in paths). */
  readonly eventIdEncoding: 'base64' | 'base64url';
  /**
   * v5+ (MSC2077): a signing key verifies an event only if its `valid_until_ts` is at least the
   * event's `origin_server_ts`. Before v5, any key the server published verifies.
   */
  readonly enforcesKeyValidity: boolean;
  /** v3 to v5: `m.room.aliases` has its own auth rule (sender's domain is the state key), even for non-members. */
  readonly aliasesAuthRule: boolean;
  /** v6+: changes to `notifications` in `m.room.power_levels` are limited like those to `events`. */
  readonly notificationsPowerLevels: boolean;
  /** v7+ (MSC2403): the `knock` join rule and membership. */
  readonly knocking: boolean;
  /** v8+ (MSC3083): the `restricted` join rule, joins vouched for by `join_authorised_via_users_server`. */
  readonly restrictedJoinRule: boolean;
  /** v10+ (MSC3787): the `knock_restricted` join rule. */
  readonly knockRestrictedJoinRule: boolean;
  /** v10+ (MSC3667): power levels must be JSON integers; before, strings holding an integer count too. */
  readonly integerPowerLevels: boolean;
  /** v11 (MSC2174/MSC2176/MSC3821/MSC3989): `redacts` lives in content, `creator` is gone from create, new redaction rules. */
  readonly redactsInContent: boolean;
  readonly createHasCreator: boolean;
  /** v3 to v5 keep `aliases` in the redacted content of `m.room.aliases` (v6 removed its meaning). */
  readonly redactionKeepsAliases: boolean;
  /** v8+ keep `allow` in the redacted content of `m.room.join_rules`. */
  readonly redactionKeepsJoinRulesAllow: boolean;
  /** v9+ keep `join_authorised_via_users_server` in the redacted content of `m.room.member`. */
  readonly redactionKeepsJoinAuthorisedVia: boolean;
  /** v11 keeps `invite` in the redacted content of `m.room.power_levels`. */
  readonly redactionKeepsPowerLevelsInvite: boolean;
  /** v11 keeps all of `m.room.create`'s content on redaction. */
  readonly redactionKeepsWholeCreate: boolean;
  /** v11 keeps `origin`, `membership`, `prev_state` out of the top-level keys kept on redaction. */
  readonly redactionKeepsLegacyTopLevelKeys: boolean;
}

// Each version is the one before with what its spec page lists as changed.
const v3: RoomVersion = {
  id: '3',
  eventIdEncoding: 'base64',
  enforcesKeyValidity: false,
  aliasesAuthRule: true,
  notificationsPowerLevels: false,
  knocking: false,
  restrictedJoinRule: false,
  knockRestrictedJoinRule: false,
  integerPowerLevels: false,
  redactsInContent: false,
  createHasCreator: true,
  redactionKeepsAliases: true,
  redactionKeepsJoinRulesAllow: false,
  redactionKeepsJoinAuthorisedVia: false,
  redactionKeepsPowerLevelsInvite: false,
  redactionKeepsWholeCreate: false,
  redactionKeepsLegacyTopLevelKeys: true,
};
const v4: RoomVersion = { ...v3, id: '4', eventIdEncoding: 'base64url' };
const v5: RoomVersion = { ...v4, id: '5', enforcesKeyValidity: true };
const v6: RoomVersion = { ...v5, id: '6', aliasesAuthRule: false, notificationsPowerLevels: true, redactionKeepsAliases: false };
const v7: RoomVersion = { ...v6, id: '7', knocking: true };
const v8: RoomVersion = { ...v7, id: '8', restrictedJoinRule: true, redactionKeepsJoinRulesAllow: true };
const v9: RoomVersion = { ...v8, id: '9', redactionKeepsJoinAuthorisedVia: true };
const v10: RoomVersion = { ...v9, id: '10', knockRestrictedJoinRule: true, integerPowerLevels: true };
const v11: RoomVersion = {
  ...v10,
  id: '11',
  redactsInContent: true,
  createHasCreator: false,
  redactionKeepsPowerLevelsInvite: true,
  redactionKeepsWholeCreate: true,
  redactionKeepsLegacyTopLevelKeys: false,
};

export const ROOM_VERSIONS: Readonly<Record<string, RoomVersion>> = Object.freeze(
  Object.fromEntries([v3, v4, v5, v6, v7, v8, v9, v10, v11].map((v) => [v.id, Object.freeze(v)])),
);
/** The version of new rooms unless the configuration (`default_room_version`) or the request names another. */
export const DEFAULT_ROOM_VERSION = '10';

export function getRoomVersion(id: string): RoomVersion | undefined {
  return Object.prototype.hasOwnProperty.call(ROOM_VERSIONS, id) ? ROOM_VERSIONS[id] : undefined;
}
