/**
 * Finds where to send a federation request for a server name (server-server API, "Resolving
 * server names"): the steps are decided in core/federation/resolution.ts; this does the I/O
 * they ask for through injected DNS and well-known fetchers, and keeps the well-known answers
 * for as long as core/federation/well-known-cache.ts says.
 */
import type { Clock } from '../../core/clock.js';
import { isAddressAllowed } from '../../core/federation/ip-deny-list.js';
import {
  afterWellKnown,
  firstStep,
  parseWellKnownBody,
  targetsFromSrv,
  type FederationTarget,
  type ResolutionStep,
  type SrvRecord,
} from '../../core/federation/resolution.js';
import { parseServerAddress, type ServerAddress } from '../../core/federation/server-name.js';
import { wellKnownErrorExpiry, wellKnownExpiry, type CacheHeaders } from '../../core/federation/well-known-cache.js';
import { parseIp } from '../../core/federation/ip-address.js';

export type { FederationTarget, SrvRecord };

export interface FederationDns {
  /** The SRV records of `name`; [] when it has none (NXDOMAIN, no data). Other failures throw. */
  resolveSrv(name: string): Promise<SrvRecord[]>;
  /** The addresses (CNAMEs followed, AAAA and A) of `hostname`; [] when it has none. */
  lookup(hostname: string): Promise<string[]>;
}

export interface WellKnownResponse extends CacheHeaders {
  status: number;
  /** The parsed JSON body; undefined when it was not JSON. */
  body: unknown;
}

/**
 * GETs `https://<hostname>/.well-known/matrix/server`, following redirects but not loops, and
 * connecting only to addresses `FederationConnector.addresses` allows. Throws on network errors.
 */
export type WellKnownFetcher = (hostname: string) => Promise<WellKnownResponse>;

/** An invalid name, or a name whose every address is refused or absent. */
export class FederationResolutionError extends Error {
  override readonly name = 'FederationResolutionError';
}

/** Well-known answers kept at most, so that names from remote input cannot grow memory without end. */
export const WELL_KNOWN_CACHE_ENTRIES = 10_000;

interface CachedWellKnown {
  delegated: ServerAddress | undefined;
  expiresAt: number;
  /** Failures in a row, for the error back-off; 0 after a valid answer. */
  failures: number;
}

export interface ServerResolverOptions {
  dns: FederationDns;
  fetchWellKnown: WellKnownFetcher;
  clock: Clock;
  /** Lift the private-range deny-list (for test networks); the unspecified address stays refused. */
  allowPrivate: boolean;
  maxCacheEntries?: number;
}

export class ServerResolver {
  private readonly wellKnown = new Map<string, CachedWellKnown>();

  constructor(private readonly options: ServerResolverOptions) {}

  /** The targets for `serverName`, in the order to try them. Throws FederationResolutionError for a bad name. */
  async targets(serverName: string): Promise<FederationTarget[]> {
    const name = parseServerAddress(serverName);
    if (name === undefined) throw new FederationResolutionError('not a server name');
    let step: ResolutionStep = firstStep(name);
    if (step.kind === 'well-known') step = afterWellKnown(name, await this.delegation(step.hostname));
    if (step.kind === 'connect') return step.targets;
    if (step.kind !== 'srv') throw new Error(`unexpected step ${step.kind}`);
    for (const srvName of step.srvNames) {
      const targets = targetsFromSrv(step.hostname, await this.options.dns.resolveSrv(srvName));
      if (targets !== undefined) return targets;
    }
    return [step.fallback];
  }

  /**
   * The addresses to connect to for `target`, each allowed by the deny-list. This is the check
   * against DNS rebinding: the caller connects to exactly these addresses, never to the name.
   * Throws FederationResolutionError when none is left.
   */
  async addresses(target: FederationTarget): Promise<string[]> {
    const found = parseIp(target.host) !== undefined ? [target.host] : await this.options.dns.lookup(target.host);
    const allowed = found.filter((address) => isAddressAllowed(address, this.options.allowPrivate));
    if (allowed.length === 0) throw new FederationResolutionError(found.length === 0 ? 'no address' : 'every address is refused');
    return allowed;
  }

  /** The delegated name of `hostname`'s well-known, from the cache while fresh; undefined for any failure. */
  private async delegation(hostname: string): Promise<ServerAddress | undefined> {
    const now = this.options.clock.now();
    const cached = this.wellKnown.get(hostname);
    if (cached !== undefined && cached.expiresAt > now) return cached.delegated;
    let response: WellKnownResponse | undefined;
    try {
      response = await this.options.fetchWellKnown(hostname);
    } catch {
      // A network failure is an error response: steps 4 to 6, cached like any other error.
      response = undefined;
    }
    const delegated = response?.status === 200 ? parseWellKnownBody(response.body) : undefined;
    const fetchedAt = this.options.clock.now();
    const entry: CachedWellKnown =
      delegated !== undefined && response !== undefined
        ? { delegated, expiresAt: wellKnownExpiry(fetchedAt, response), failures: 0 }
        : { delegated: undefined, expiresAt: 0, failures: (cached?.failures ?? 0) + 1 };
    if (entry.failures > 0) entry.expiresAt = wellKnownErrorExpiry(fetchedAt, entry.failures);
    this.remember(hostname, entry);
    return delegated;
  }

  private remember(hostname: string, entry: CachedWellKnown): void {
    this.wellKnown.delete(hostname);
    const max = this.options.maxCacheEntries ?? WELL_KNOWN_CACHE_ENTRIES;
    // Map iteration is insertion order: the first key is the entry written longest ago.
    while (this.wellKnown.size >= max) this.wellKnown.delete(this.wellKnown.keys().next().value as string);
    this.wellKnown.set(hostname, entry);
  }
}
