/**
 * Server names as addresses (appendices, "Server Name"; server-server API, "Resolving server
 * names"): a hostname, an IPv4 literal or a bracketed IPv6 literal, then an optional port.
 */
import { isValidServerName } from '../ids.js';
import { parseIpv4, parseIpv6 } from './ip-address.js';

/** The port used when neither the name, the well-known delegation nor an SRV record gives one. */
export const DEFAULT_FEDERATION_PORT = 8448;

export interface ServerAddress {
  /** Hostname (lower-cased) or IP literal, IPv6 without brackets. */
  host: string;
  ipLiteral: boolean;
  port?: number;
}

/** Parses a server name (or a well-known `m.server` value); undefined when it is not one. */
export function parseServerAddress(name: string): ServerAddress | undefined {
  if (!isValidServerName(name)) return undefined;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(name);
  if (!match) return undefined;
  const hostPart = match[1] as string;
  let port: number | undefined;
  if (match[2] !== undefined) {
    port = Number(match[2]);
    if (port < 1 || port > 65535) return undefined;
  }
  let address: ServerAddress;
  if (hostPart.startsWith('[')) {
    const host = hostPart.slice(1, -1);
    if (parseIpv6(host) === undefined) return undefined;
    address = { host: host.toLowerCase(), ipLiteral: true };
  } else {
    address = { host: hostPart.toLowerCase(), ipLiteral: parseIpv4(hostPart) !== undefined };
  }
  return port === undefined ? address : { ...address, port };
}

/** `host[:port]` as written in a Host header or URL authority, IPv6 in brackets. */
export function formatAuthority(host: string, port?: number): string {
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? bracketed : `${bracketed}:${port}`;
}
