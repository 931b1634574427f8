/**
 * The public keys of other servers (ServerKeyLookup): fetched from the server itself
 * (`GET /_matrix/key/v2/server`), else from the trusted notaries (`POST /_matrix/key/v2/query`),
 * verified (core/federation/server-key-response.ts), kept in the database and in a bounded
 * memory cache in front of it.
 * Concurrent lookups for one server share one fetch, and a server is not asked again before
 * its back-off ends, so requests naming unknown keys cannot make us hammer a peer.
 */
import type { BackoffPolicy } from '../../core/backoff.js';
import { retryDelayMs } from '../../core/backoff.js';
import type { Clock } from '../../core/clock.js';
import { verifyJsonSignature } from '../../core/events/signing.js';
import { verifyServerKeyResponse, type RemoteKey, type VerifiedServerKeys } from '../../core/federation/server-key-response.js';
import type { ServerKeyStore } from '../../storage/store.js';
import type { ServerKeyLookup } from './server-key-lookup.js';

/** The JSON body a server (or a notary) answered; throws when it could not be had. */
export type ServerKeysFetcher = (serverName: string) => Promise<unknown>;
export type NotaryFetcher = (notaryName: string, serverName: string) => Promise<unknown>;

/** A notary we trust, with the keys it must sign its answers with (configured, never fetched). */
export interface TrustedKeyServer {
  serverName: string;
  verifyKeys: Readonly<Record<string, string>>;
}

export interface KeyRingOptions {
  fetchServerKeys: ServerKeysFetcher;
  fetchFromNotary: NotaryFetcher;
  trustedKeyServers: readonly TrustedKeyServer[];
  store: ServerKeyStore;
  clock: Clock;
  /** 0 to 1, for the back-off's jitter. */
  random: () => number;
  /** After a failed fetch, retryDelayMs of it; after a success, its `initialMs` before asking again. */
  backoff: BackoffPolicy;
  maxServers?: number;
}

/** Servers whose keys are kept at most: names come from remote input. */
export const KEY_RING_SERVERS = 10_000;

interface ServerEntry {
  keys: Record<string, RemoteKey>;
  /** Not fetched again before this (ms). */
  nextFetchAt: number;
  failures: number;
}

export class KeyRing implements ServerKeyLookup {
  private readonly servers = new Map<string, ServerEntry>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly options: KeyRingOptions) {}

  async keysFor(serverName: string, keyIds: readonly string[], atMs: number): Promise<Readonly<Record<string, string>>> {
    let found = this.cached(serverName, keyIds, atMs);
    if (Object.keys(found).length === keyIds.length) return found;
    if (!this.servers.has(serverName)) {
      await this.load(serverName);
      found = this.cached(serverName, keyIds, atMs);
      if (Object.keys(found).length === keyIds.length) return found;
    }
    const entry = this.servers.get(serverName);
    if (entry !== undefined && entry.nextFetchAt > this.options.clock.now()) return found;
    await this.refresh(serverName);
    found = this.cached(serverName, keyIds, atMs);
    return found;
  }

  /** The keys stored by an earlier fetch (this process or another), into the memory cache. */
  private async load(serverName: string): Promise<void> {
    const keys = await this.options.store.get(serverName);
    if (Object.keys(keys).length > 0 && !this.servers.has(serverName)) this.remember(serverName, { keys, nextFetchAt: 0, failures: 0 });
  }

  private cached(serverName: string, keyIds: readonly string[], atMs: number): Record<string, string> {
    const keys = this.servers.get(serverName)?.keys ?? {};
    const found: Record<string, string> = {};
    for (const keyId of keyIds) {
      const key = Object.hasOwn(keys, keyId) ? keys[keyId] : undefined;
      // Spec: a key may verify signatures made up to its valid_until_ts (or expired_ts).
      if (key !== undefined && atMs <= key.validUntilTs) found[keyId] = key.key;
    }
    return found;
  }

  private refresh(serverName: string): Promise<void> {
    const running = this.inFlight.get(serverName);
    if (running !== undefined) return running;
    const fetch = this.fetchAndStore(serverName).finally(() => this.inFlight.delete(serverName));
    this.inFlight.set(serverName, fetch);
    return fetch;
  }

  private async fetchAndStore(serverName: string): Promise<void> {
    const keys = (await this.fromServer(serverName)) ?? (await this.fromNotaries(serverName));
    if (keys !== undefined) await this.options.store.put(serverName, keys);
    const previous = this.servers.get(serverName);
    const now = this.options.clock.now();
    const failures = keys === undefined ? (previous?.failures ?? 0) + 1 : 0;
    const delay = failures > 0 ? retryDelayMs(this.options.backoff, failures, this.options.random()) : this.options.backoff.initialMs;
    this.remember(serverName, { keys: { ...previous?.keys, ...keys }, nextFetchAt: now + delay, failures });
  }

  private async fromServer(serverName: string): Promise<Record<string, RemoteKey> | undefined> {
    try {
      return this.current(verifyServerKeyResponse(await this.options.fetchServerKeys(serverName), serverName))?.keys;
    } catch {
      return undefined; // unreachable or refused: the notaries may know
    }
  }

  private async fromNotaries(serverName: string): Promise<Record<string, RemoteKey> | undefined> {
    for (const notary of this.options.trustedKeyServers) {
      let answer: unknown;
      try {
        answer = await this.options.fetchFromNotary(notary.serverName, serverName);
      } catch {
        continue;
      }
      const list = typeof answer === 'object' && answer !== null ? (answer as { server_keys?: unknown }).server_keys : undefined;
      if (!Array.isArray(list)) continue;
      const keys: Record<string, RemoteKey> = {};
      for (const item of list as unknown[]) {
        const verified = this.current(verifyServerKeyResponse(item, serverName));
        if (verified === undefined || !signedByNotary(item as object, notary)) continue;
        Object.assign(keys, verified.keys);
      }
      if (Object.keys(keys).length > 0) return keys;
    }
    return undefined;
  }

  /**
   * An answer already past its `valid_until_ts` is not kept: it cannot verify anything signed
   * now, and storing it would let a stale (or replayed) answer stand in for a fresh one.
   */
  private current(verified: VerifiedServerKeys | undefined): VerifiedServerKeys | undefined {
    return verified !== undefined && verified.validUntilTs >= this.options.clock.now() ? verified : undefined;
  }

  private remember(serverName: string, entry: ServerEntry): void {
    this.servers.delete(serverName);
    const max = this.options.maxServers ?? KEY_RING_SERVERS;
    // Map iteration is insertion order: the first key is the server written longest ago.
    while (this.servers.size >= max) this.servers.delete(this.servers.keys().next().value as string);
    this.servers.set(serverName, entry);
  }
}

function signedByNotary(item: object, notary: TrustedKeyServer): boolean {
  return Object.entries(notary.verifyKeys).some(([keyId, key]) => verifyJsonSignature(item, notary.serverName, keyId, key));
}
