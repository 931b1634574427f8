/**
 * The room versions Hearth serves, and the rules that differ between them.
 * Only versions whose auth rules and formats are implemented completely are listed.
 */
export interface RoomVersion {
  readonly id: '10' | '11';
  /** v11 (MSC2174/MSC2176/MSC3821/MSC3989): `redacts` lives in content, `creator` is gone from create, new redaction rules. */
  readonly redactsInContent: boolean;
  readonly createHasCreator: boolean;
  /** v11 keeps `invite` in the redacted content of `m.room.power_levels`. */
  readonly redactionKeepsPowerLevelsInvite: boolean;
  /** v11 keeps all of `m.room.create`'s content on redaction. */
  readonly redactionKeepsWholeCreate: boolean;
  /** v11 keeps `origin`, `membership`, `prev_state` out of the top-level keys kept on redaction. */
  readonly redactionKeepsLegacyTopLevelKeys: boolean;
}

const v10: RoomVersion = {
  id: '10',
  redactsInContent: false,
  createHasCreator: true,
  redactionKeepsPowerLevelsInvite: false,
  redactionKeepsWholeCreate: false,
  redactionKeepsLegacyTopLevelKeys: true,
};

const v11: RoomVersion = {
  id: '11',
  redactsInContent: true,
  createHasCreator: false,
  redactionKeepsPowerLevelsInvite: true,
  redactionKeepsWholeCreate: true,
  redactionKeepsLegacyTopLevelKeys: false,
};

export const ROOM_VERSIONS: Readonly<Record<string, RoomVersion>> = { '10': v10, '11': v11 };
export const DEFAULT_ROOM_VERSION = '10';

export function getRoomVersion(id: string): RoomVersion | undefined {
  return Object.prototype.hasOwnProperty.call(ROOM_VERSIONS, id) ? ROOM_VERSIONS[id] : undefined;
}
