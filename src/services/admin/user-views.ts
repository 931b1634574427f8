import type { Account } from '../../storage/store.js';

/**
 * Accounts as Synapse's admin API shows them. Hearth has no guests, shadow bans, user types,
 * third-party IDs or external IDs: those fields are always empty. `creation_ts` is in milliseconds
 * in the list and in seconds in one user's details, as Synapse answers.
 */
export function listEntry(a: Account) {
  return {
    name: a.userId,
    is_guest: false,
    admin: a.isAdmin,
    user_type: null,
    deactivated: a.deactivated,
    erased: a.erased === true,
    shadow_banned: false,
    locked: a.locked === true,
    displayname: a.displayname,
    avatar_url: a.avatarUrl,
    creation_ts: a.createdTs,
  };
}

export function details(a: Account) {
  return {
    name: a.userId,
    displayname: a.displayname,
    threepids: [],
    avatar_url: a.avatarUrl,
    is_guest: false,
    admin: a.isAdmin,
    deactivated: a.deactivated,
    erased: a.erased === true,
    shadow_banned: false,
    locked: a.locked === true,
    creation_ts: Math.floor(a.createdTs / 1000),
    appservice_id: null,
    consent_server_notice_sent: null,
    consent_version: null,
    consent_ts: null,
    external_ids: [],
    user_type: null,
  };
}
