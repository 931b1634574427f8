import type { RoomVersion } from '../room-versions.js';
import type { StateLookup } from '../events/types.js';
import { ALLOW, reject, type AuthEvent, type AuthResult } from './auth-result.js';
import { namedLevelOf, powerLevelOf } from './levels.js';

/**
 * Rule 6: `m.room.third_party_invite` is allowed exactly when the sender may invite. Rules 7
 * and 8 are not reached: its `state_key` is a token, and its level is the invite level.
 * Rule 5 (sender joined) has already been applied by the dispatcher.
 */
export function checkThirdPartyInviteEvent(event: AuthEvent, authState: StateLookup, roomVersion: RoomVersion): AuthResult {
  const senderLevel = powerLevelOf(event.sender, authState, roomVersion);
  const inviteLevel = namedLevelOf('invite', authState);
  if (senderLevel >= inviteLevel) return ALLOW;
  return reject('6.1', `the sender's power level ${senderLevel} is below the invite level ${inviteLevel}`);
}
