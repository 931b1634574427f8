/**
 * Profiles of other servers' users, asked of their server (`GET /_matrix/federation/v1/query/profile`)
 * and kept a few minutes in a bounded memory cache: a client showing a member list asks for the
 * same profiles again and again, and each miss costs a signed request to the peer.
 * Answers are cached (a profile, or "no such user"); failures are not, but concurrent requests
 * for one profile share one fetch.
 */
import type { Clock } from '../../core/clock.js';
import { notFound, unknownError } from '../../core/errors.js';
import { domainOf, type UserId } from '../../core/ids.js';
import { PROFILE_FIELD_MAX_LENGTH, type Profile, type ProfileField } from '../accounts/profiles.js';
import { FederationRequestError, type FederationRequester } from './federation-client.js';

/** Profiles kept at most: user IDs come from clients, so the cache must not grow without bound. */
export const REMOTE_PROFILE_CACHE_ENTRIES = 1000;
/** How long an answer is kept: a changed remote display name shows within this. */
export const REMOTE_PROFILE_TTL_MS = 5 * 60_000;

interface Entry {
  /** Undefined: the peer said there is no such user. */
  profile: Profile | undefined;
  expiresAt: number;
}

export class RemoteProfiles {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();

  constructor(private readonly deps: { federation: FederationRequester; clock: Clock; maxEntries?: number }) {}

  /**
   * The profile of `userId`, a user of another server; with `field`, the peer is asked for that
   * field only (the answer may hold more, from the cache). 404 M_NOT_FOUND when the peer says so; 502 M_UNKNOWN when it cannot be reached or answers
   * anything else (as Synapse answers; the client API has no code of its own for it).
   */
  async get(userId: UserId, field?: ProfileField): Promise<Profile> {
    // A whole profile answers a field's question too; a field's answer only that field's.
    const entry = this.fresh(cacheKey(userId)) ?? this.fresh(cacheKey(userId, field)) ?? (await this.fetch(userId, field));
    if (entry.profile === undefined) throw notFound('Profile not found');
    return entry.profile;
  }

  private fresh(key: string): Entry | undefined {
    const entry = this.cache.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.deps.clock.now()) return entry;
    this.cache.delete(key);
    return undefined;
  }

  private fetch(userId: UserId, field: ProfileField | undefined): Promise<Entry> {
    const key = cacheKey(userId, field);
    const running = this.inFlight.get(key);
    if (running !== undefined) return running;
    const fetching = this.ask(userId, field).then((entry) => {
      this.remember(key, entry);
      return entry;
    }).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, fetching);
    return fetching;
  }

  private async ask(userId: UserId, field: ProfileField | undefined): Promise<Entry> {
    let answer: Record<string, unknown>;
    try {
      answer = await this.deps.federation.request({
        destination: domainOf(userId),
        method: 'GET',
        path: '/_matrix/federation/v1/query/profile',
        query: field === undefined ? { user_id: userId } : { user_id: userId, field },
      });
    } catch (err) {
      if (!(err instanceof FederationRequestError)) throw err;
      if (err.kind === 'refused' && err.status === 404) return { profile: undefined, expiresAt: this.expiry() };
      throw unknownError(502, "Could not get the profile from the user's server");
    }
    return { profile: profileOf(answer, field), expiresAt: this.expiry() };
  }

  private expiry(): number {
    return this.deps.clock.now() + REMOTE_PROFILE_TTL_MS;
  }

  private remember(key: string, entry: Entry): void {
    this.cache.delete(key);
    const max = this.deps.maxEntries ?? REMOTE_PROFILE_CACHE_ENTRIES;
    // Map iteration is insertion order: the first key is the entry written longest ago.
    while (this.cache.size >= max) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, entry);
  }
}

function cacheKey(userId: UserId, field?: ProfileField): string {
  return field === undefined ? userId : `${field} ${userId}`;
}

/**
 * The peer's answer as a profile: only the fields asked for, and only values a local user could
 * set (strings within the field's length, no NUL); anything else is left out, not cached whole.
 */
function profileOf(answer: Record<string, unknown>, field: ProfileField | undefined): Profile {
  const out: Profile = {};
  for (const name of field === undefined ? (['displayname', 'avatar_url'] as const) : [field]) {
    const value = answer[name];
    if (typeof value === 'string' && value.length <= PROFILE_FIELD_MAX_LENGTH[name] && !value.includes('\u0000')) out[name] = value;
  }
  return out;
}
