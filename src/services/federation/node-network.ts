/**
 * The Node adapters ServerResolver runs on: DNS through node:dns/promises, and the well-known
 * fetch over the same guarded HTTPS exchange as federation requests (deny-list on every
 * address, redirects bounded, size and time bounded).
 */
import { Resolver } from 'node:dns/promises';
import type { Agent } from 'node:https';
import { parseIp } from '../../core/federation/ip-address.js';
import { isAddressAllowed } from '../../core/federation/ip-deny-list.js';
import { httpsExchange } from './https-transport.js';
import type { FederationDns, WellKnownFetcher, WellKnownResponse } from './server-resolver.js';

/** Redirects followed at most for one well-known fetch. */
export const WELL_KNOWN_MAX_REDIRECTS = 5;
/** A well-known answer is a line of JSON: anything bigger is refused. */
export const WELL_KNOWN_MAX_BYTES = 64 * 1024;

/** "This name has no such records": an answer, not a failure. */
const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'ENONAME']);

function emptyWhenNoData(err: unknown): [] {
  if (NO_DATA.has((err as { code?: string }).code ?? '')) return [];
  throw err;
}

export function nodeDns(resolver = new Resolver()): FederationDns {
  return {
    resolveSrv: async (name) => {
      const records = await resolver.resolveSrv(name).catch(emptyWhenNoData);
      return records.map(({ name: target, port, priority, weight }) => ({ name: target, port, priority, weight }));
    },
    lookup: async (hostname) => {
      const [v6, v4] = await Promise.all([
        resolver.resolve6(hostname).catch(emptyWhenNoData),
        resolver.resolve4(hostname).catch(emptyWhenNoData),
      ]);
      return [...v6, ...v4];
    },
  };
}

export interface WellKnownFetcherOptions {
  dns: FederationDns;
  agent: Agent;
  allowPrivate: boolean;
  timeoutMs: number;
  /** The port to connect to; 443 except in tests. */
  port?: number;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function wellKnownFetcher(options: WellKnownFetcherOptions): WellKnownFetcher {
  return async (hostname) => {
    let url = new URL(`https://${hostname}/.well-known/matrix/server`);
    if (options.port !== undefined) url.port = String(options.port);
    for (let hop = 0; ; hop += 1) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const found = parseIp(host) !== undefined ? [host] : await options.dns.lookup(host);
      const address = found.find((a) => isAddressAllowed(a, options.allowPrivate));
      if (address === undefined) throw new Error('no allowed address');
      const answer = await httpsExchange({
        address,
        port: url.port === '' ? 443 : Number(url.port),
        tlsServerName: host,
        hostHeader: url.host,
        method: 'GET',
        target: url.pathname + url.search,
        agent: options.agent,
        timeoutMs: options.timeoutMs,
        maxResponseBytes: WELL_KNOWN_MAX_BYTES,
      });
      const location = header(answer.headers['location']);
      if (answer.status >= 300 && answer.status < 400 && location !== undefined) {
        if (hop >= WELL_KNOWN_MAX_REDIRECTS) throw new Error('too many redirects');
        url = new URL(location, url);
        if (url.protocol !== 'https:') throw new Error('redirect away from https');
        continue;
      }
      let body: unknown;
      try {
        body = JSON.parse(answer.body.toString('utf8')) as unknown;
      } catch {
        body = undefined;
      }
      const response: WellKnownResponse = {
        status: answer.status,
        body,
        cacheControl: header(answer.headers['cache-control']),
        expires: header(answer.headers['expires']),
        date: header(answer.headers['date']),
      };
      return response;
    }
  };
}
