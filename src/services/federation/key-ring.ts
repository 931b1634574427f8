/**
 * The public keys of other servers (ServerKeyLookup): fetched from the server itself
 * (`GET /_matrix/key/v2/server`), else from the trusted notaries (`POST /_matrix/key/v2/query`),
 * verified (core/federation/server-key-response.ts), kept in the database and in a bounded
 * memory cache in front of it. The latest answer itself, as its server signed it, is kept in
 * memory too (bounded): Hearth serves it when asked as a notary.
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

/** A notary we trust (`federation.trusted_key_servers`). */
export interface TrustedKeyServer {
  serverName: string;
  /** The keys it must sign its answers with; null: its own keys, fetched from it (trusting its TLS certificate). */
  verifyKeys: Readonly<Record<string, string>> | null;
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
/** Signed answers kept for serving as a notary, at most, and the largest kept (a real one is under 1 KiB). */
export const KEY_RING_RESPONSES = 1000;
export const KEY_RING_RESPONSE_MAX_BYTES = 16 * 1024;

/** A server's answer about its keys, verified, with the object as it was signed. */
interface Fetched extends VerifiedServerKeys {
  response: object;
}

interface ServerEntry {
  keys: Record<string, RemoteKey>;
  /** Not fetched again before this (ms). */
  nextFetchAt: number;
  failures: number;
}

export class KeyRing implements ServerKeyLookup {
  private readonly servers = new Map<string, ServerEntry>();
  private readonly responses = new Map<string, Fetched>();
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

  /**
   * `serverName`'s latest answer about its keys as it signed it (from a notary: with the notary's
   * signature too), for serving as a notary. A new one is fetched when none is held, or the held
   * one is valid for less than `minimumValidUntilTs` or lacks one of `keyIds`, unless the server
   * is in its back-off; then what is held is answered (the asker checks it). Undefined: none.
   */
  async signedAnswer(serverName: string, want: { minimumValidUntilTs: number; keyIds: readonly string[] }): Promise<object | undefined> {
    const held = this.responses.get(serverName);
    const enough = held !== undefined && held.validUntilTs >= want.minimumValidUntilTs && want.keyIds.every((id) => Object.hasOwn(held.keys, id));
    if (enough) return held.response;
    if (!this.servers.has(serverName)) await this.load(serverName);
    const entry = this.servers.get(serverName);
    if (entry === undefined || entry.nextFetchAt <= this.options.clock.now()) await this.refresh(serverName);
    return this.responses.get(serverName)?.response;
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

  /** `viaNotaries` false: from the server only (a notary's own keys: never ask the notaries about a notary). */
  private async fetchAndStore(serverName: string, viaNotaries = true): Promise<void> {
    const fetched = (await this.fromServer(serverName)) ?? (viaNotaries ? await this.fromNotaries(serverName) : undefined);
    const keys = fetched?.keys;
    if (fetched !== undefined) {
      await this.options.store.put(serverName, fetched.keys);
      this.keepResponse(fetched);
    }
    const previous = this.servers.get(serverName);
    const now = this.options.clock.now();
    const failures = keys === undefined ? (previous?.failures ?? 0) + 1 : 0;
    const delay = failures > 0 ? retryDelayMs(this.options.backoff, failures, this.options.random()) : this.options.backoff.initialMs;
    this.remember(serverName, { keys: { ...previous?.keys, ...keys }, nextFetchAt: now + delay, failures });
  }

  private async fromServer(serverName: string): Promise<Fetched | undefined> {
    try {
      const answer = await this.options.fetchServerKeys(serverName);
      return this.current(answer, verifyServerKeyResponse(answer, serverName));
    } catch {
      return undefined; // unreachable or refused: the notaries may know
    }
  }

  private async fromNotaries(serverName: string): Promise<Fetched | undefined> {
    for (const notary of this.options.trustedKeyServers) {
      if (notary.serverName === serverName) continue; // it was asked itself already
      let answer: unknown;
      try {
        answer = await this.options.fetchFromNotary(notary.serverName, serverName);
      } catch {
        continue;
      }
      const list = typeof answer === 'object' && answer !== null ? (answer as { server_keys?: unknown }).server_keys : undefined;
      if (!Array.isArray(list)) continue;
      let found: Fetched | undefined;
      for (const item of list as unknown[]) {
        const verified = this.current(item, verifyServerKeyResponse(item, serverName));
        if (verified === undefined || !signedBy(item as object, notary.serverName, await this.notaryKeys(notary))) continue;
        // Keys of every answer; the answer kept is the one valid longest.
        found = { ...(found !== undefined && found.validUntilTs > verified.validUntilTs ? found : verified), keys: { ...found?.keys, ...verified.keys } };
      }
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The keys a notary signs with: configured, else its own current keys, fetched from it when none are held. */
  private async notaryKeys(notary: TrustedKeyServer): Promise<Readonly<Record<string, string>>> {
    if (notary.verifyKeys !== null) return notary.verifyKeys;
    const name = notary.serverName;
    if (!this.servers.has(name)) await this.load(name);
    const now = this.options.clock.now();
    const held = () => Object.fromEntries(Object.entries(this.servers.get(name)?.keys ?? {}).filter(([, k]) => k.validUntilTs >= now).map(([id, k]) => [id, k.key]));
    // Not through `refresh`: a lookup of the notary that is itself waiting on this notary must not be joined.
    if (Object.keys(held()).length === 0 && (this.servers.get(name)?.nextFetchAt ?? 0) <= now) await this.fetchAndStore(name, false);
    return held();
  }

  private keepResponse(fetched: Fetched): void {
    this.responses.delete(fetched.serverName);
    if (Buffer.byteLength(JSON.stringify(fetched.response)) > KEY_RING_RESPONSE_MAX_BYTES) return;
    while (this.responses.size >= KEY_RING_RESPONSES) this.responses.delete(this.responses.keys().next().value as string);
    this.responses.set(fetched.serverName, fetched);
  }

  /**
   * An answer already past its `valid_until_ts` is not kept: it cannot verify anything signed
   * now, and storing it would let a stale (or replayed) answer stand in for a fresh one.
   */
  private current(answer: unknown, verified: VerifiedServerKeys | undefined): Fetched | undefined {
    return verified !== undefined && verified.validUntilTs >= this.options.clock.now() ? { ...verified, response: answer as object } : undefined;
  }

  private remember(serverName: string, entry: ServerEntry): void {
    this.servers.delete(serverName);
    const max = this.options.maxServers ?? KEY_RING_SERVERS;
    // Map iteration is insertion order: the first key is the server written longest ago.
    while (this.servers.size >= max) this.servers.delete(this.servers.keys().next().value as string);
    this.servers.set(serverName, entry);
  }
}

function signedBy(item: object, serverName: string, keys: Readonly<Record<string, string>>): boolean {
  return Object.entries(keys).some(([keyId, key]) => verifyJsonSignature(item, serverName, keyId, key));
}
