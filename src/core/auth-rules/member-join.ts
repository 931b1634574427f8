import { ALLOW, reject, type AuthResult } from './auth-result.js';
import { describeMembership, type MemberContext } from './member-context.js';
import { powerLevelOf } from './levels.js';
import { JoinRule, createEventOf, isRestrictedJoinRule, joinRuleOf, membershipOf, ownValue, roomCreatorOf } from './state-access.js';

/** Rule 4.3: `membership` is `join`. */
export function checkJoin(ctx: MemberContext): AuthResult {
  const { event, target, authState, roomVersion } = ctx;

  // 4.3.1: the creator's own first join, straight after the create event. v10 names the creator
  // in content.creator, v11 by the create event's sender (roomCreatorOf picks by version).
  const create = createEventOf(authState);
  if (
    create &&
    event.prev_events.length === 1 &&
    event.prev_events[0] === create.event_id &&
    target === roomCreatorOf(authState, roomVersion)
  ) {
    return ALLOW;
  }

  if (event.sender !== target) return reject('4.3.2', `${event.sender} cannot make ${target} join: sender and state_key differ`);
  if (ctx.senderMembership === 'ban') return reject('4.3.3', `${event.sender} is banned from the room`);

  const joinRule = joinRuleOf(authState);
  const alreadyInvitedOrJoined = ctx.senderMembership === 'invite' || ctx.senderMembership === 'join';

  // A join rule the room version does not know (`knock` before v7, `restricted` before v8,
  // `knock_restricted` before v10) is "anything else": 4.3.7 rejects every join, even invited ones.
  if (joinRule === JoinRule.invite || (joinRule === JoinRule.knock && roomVersion.knocking)) {
    if (alreadyInvitedOrJoined) return ALLOW;
    // 4.3.4 only ever allows; an uninvited sender falls through 4.3.5 and 4.3.6 to 4.3.7.
    return reject('4.3.7', `the join rule is ${joinRule} and ${event.sender}'s membership is ${describeMembership(ctx.senderMembership)}, not invite or join`);
  }

  if (isRestrictedJoinRule(joinRule, roomVersion)) {
    if (alreadyInvitedOrJoined) return ALLOW; // 4.3.5.1
    return checkAuthorisingUser(ctx, String(joinRule));
  }

  if (joinRule === JoinRule.public) return ALLOW;

  return reject('4.3.7', `the join rule ${JSON.stringify(joinRule ?? null)} does not let ${event.sender} join in room version ${roomVersion.id}`);
}

/**
 * 4.3.5.2: a restricted join needs a resident user, joined and able to invite, to vouch for it
 * (`join_authorised_via_users_server`). Rule 4.2 already made sure that user's server signed it.
 */
function checkAuthorisingUser(ctx: MemberContext, joinRule: string): AuthResult {
  const { authState, roomVersion } = ctx;
  const authoriser = ownValue(ctx.content, 'join_authorised_via_users_server');
  if (typeof authoriser !== 'string') {
    return reject('4.3.5.2', `the join rule is ${joinRule} and content has no join_authorised_via_users_server`);
  }
  const membership = membershipOf(authoriser, authState);
  if (membership !== 'join') {
    return reject('4.3.5.2', `the authorising user ${authoriser} is not joined to the room (membership ${describeMembership(membership)})`);
  }
  const level = powerLevelOf(authoriser, authState, roomVersion);
  if (level < ctx.levels.invite) {
    return reject('4.3.5.2', `the authorising user ${authoriser} has power level ${level}, below the invite level ${ctx.levels.invite}`);
  }
  return ALLOW; // 4.3.5.3
}
