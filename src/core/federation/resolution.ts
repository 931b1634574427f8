/**
 * The decisions of the server-server API's "Resolving server names", as pure steps: the caller
 * does the well-known fetch and the DNS queries each step asks for and feeds back the answers.
 * Server names in request signing are never the delegated ones (request-auth.ts); only where
 * to connect, the Host header and the certificate name follow delegation.
 */
import { DEFAULT_FEDERATION_PORT, formatAuthority, parseServerAddress, type ServerAddress } from './server-name.js';

/** Where to connect and how to present the request. */
export interface FederationTarget {
  /** An IP literal (IPv6 without brackets), or a hostname to resolve with CNAME/AAAA/A. */
  host: string;
  port: number;
  /** The `Host` header value. */
  hostHeader: string;
  /** The name the server's certificate must be valid for: a hostname, or an IP address. */
  tlsServerName: string;
}

export type ResolutionStep =
  /** Connect to these, in order. */
  | { kind: 'connect'; targets: FederationTarget[] }
  /** Fetch `https://<hostname>/.well-known/matrix/server`, then call `afterWellKnown`. */
  | { kind: 'well-known'; hostname: string }
  /** Look up SRV `srvNames` in order; the first that has records gives `targetsFromSrv`, else `fallback`. */
  | { kind: 'srv'; hostname: string; srvNames: string[]; fallback: FederationTarget };

/** Steps 1 and 2 (an IP literal, or an explicit port), else step 3's well-known fetch. */
export function firstStep(name: ServerAddress): ResolutionStep {
  if (name.ipLiteral || name.port !== undefined) {
    // The Host header is the server name as given, with its port if it had one.
    const target = direct(name, formatAuthority(name.host, name.port));
    return { kind: 'connect', targets: [target] };
  }
  return { kind: 'well-known', hostname: name.host };
}

/**
 * After the well-known fetch of `name` (a hostname without port): `delegated` is the parsed
 * `m.server`, or undefined for any failure (steps 4 to 6 then use the original hostname).
 */
export function afterWellKnown(name: ServerAddress, delegated: ServerAddress | undefined): ResolutionStep {
  if (delegated === undefined) return srvStep(name.host);
  if (delegated.ipLiteral || delegated.port !== undefined) {
    // 3.1 and 3.2: the Host header is the delegated name, with its port if it had one.
    return { kind: 'connect', targets: [direct(delegated, formatAuthority(delegated.host, delegated.port))] };
  }
  return srvStep(delegated.host);
}

function direct(address: ServerAddress, hostHeader: string): FederationTarget {
  return { host: address.host, port: address.port ?? DEFAULT_FEDERATION_PORT, hostHeader, tlsServerName: address.host };
}

/** 3.3 to 3.5, or 4 to 6: SRV `_matrix-fed._tcp` then the deprecated `_matrix._tcp`, else port 8448. */
function srvStep(hostname: string): ResolutionStep {
  return {
    kind: 'srv',
    hostname,
    srvNames: [`_matrix-fed._tcp.${hostname}`, `_matrix._tcp.${hostname}`],
    fallback: { host: hostname, port: DEFAULT_FEDERATION_PORT, hostHeader: hostname, tlsServerName: hostname },
  };
}

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/**
 * The targets an SRV answer for `hostname` gives: lowest priority first, then heaviest weight
 * (core has no randomness for RFC 2782's weighted pick, so the order is fixed). The Host header
 * and the certificate stay `hostname`: DNS is not trusted to delegate, TLS must prove it.
 * Undefined when no record names a host (none, or only "." for "no service here").
 */
export function targetsFromSrv(hostname: string, records: readonly SrvRecord[]): FederationTarget[] | undefined {
  const usable = records
    .map((r) => ({ ...r, name: r.name.replace(/\.$/, '') }))
    .filter((r) => r.name !== '' && r.port > 0 && r.port <= 65535);
  if (usable.length === 0) return undefined;
  usable.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
  return usable.map((r) => ({ host: r.name, port: r.port, hostHeader: hostname, tlsServerName: hostname }));
}

/** The `m.server` of a well-known response body; undefined for anything invalid (step 3 then goes to 4). */
export function parseWellKnownBody(body: unknown): ServerAddress | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const server: unknown = (body as Record<string, unknown>)['m.server'];
  return typeof server === 'string' ? parseServerAddress(server) : undefined;
}
