/**
 * The outbound side of federation as the app wires it: one keep-alive HTTPS agent trusting the
 * system CAs plus `federation.ca_file`, the resolver on Node's DNS, the signing client, and the
 * key ring fetching through it.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Clock } from '../../core/clock.js';
import type { SigningKey } from '../../core/events/signing.js';
import type { Config } from '../../config/schema.js';
import type { ServerKeyStore } from '../../storage/store.js';
import { FederationClient, type FederationRequester } from './federation-client.js';
import { KeyNotary } from './key-notary.js';
import { KeyRing, type TrustedKeyServer } from './key-ring.js';
import { nodeDns, wellKnownFetcher } from './node-network.js';
import { ServerResolver } from './server-resolver.js';

/** How long one exchange may take, connect to last byte. */
export const FEDERATION_TIMEOUT_MS = 30_000;
/** The largest answer read from a peer (Synapse caps its federation responses alike). */
export const FEDERATION_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** A server whose keys could not be had is asked again after 1 minute, doubling up to an hour. */
export const KEY_FETCH_BACKOFF = { initialMs: 60_000, maxMs: 3_600_000 };

export interface FederationOutbound {
  readonly client: FederationRequester;
  readonly keyRing: KeyRing;
  /** Answers other servers' key queries (this server as a notary). */
  readonly notary: KeyNotary;
  /** Closes the agent's idle connections. */
  close(): void;
}

export function createFederationOutbound(deps: {
  config: Config;
  clock: Clock;
  signingKey: SigningKey;
  store: ServerKeyStore;
  /** Replaces the network (tests: a fake peer answering every request). */
  requester?: FederationRequester;
}): FederationOutbound {
  const { config, clock, signingKey, store } = deps;
  const { trustedKeyServers } = config.federation;
  const withRing = (client: FederationRequester, close: () => void): FederationOutbound => {
    const keyRing = federationKeyRing(client, store, clock, trustedKeyServers);
    return { client, keyRing, notary: new KeyNotary({ serverName: config.serverName, signingKey, clock, keyRing }), close };
  };
  if (deps.requester) return withRing(deps.requester, () => {});
  const { caFile, allowPrivateAddresses } = config.federation;
  // `ca` replaces Node's list, so the system CAs are passed along with the extra one.
  const ca = caFile === null ? undefined : [...rootCertificates, readFileSync(caFile, 'utf8')];
  const agent = new Agent({ keepAlive: true, ca });
  const dns = nodeDns();
  const fetchWellKnown = wellKnownFetcher({ dns, agent, allowPrivate: allowPrivateAddresses, timeoutMs: FEDERATION_TIMEOUT_MS });
  const resolver = new ServerResolver({ dns, fetchWellKnown, clock, allowPrivate: allowPrivateAddresses });
  const client = new FederationClient({
    serverName: config.serverName, signingKey, resolver, agent,
    timeoutMs: FEDERATION_TIMEOUT_MS, maxResponseBytes: FEDERATION_MAX_RESPONSE_BYTES,
  });
  return withRing(client, () => agent.destroy());
}

/** A key ring fetching with `client`, asking `trustedKeyServers` (`federation.trusted_key_servers`) when a server cannot answer itself. */
export function federationKeyRing(client: FederationRequester, store: ServerKeyStore, clock: Clock, trustedKeyServers: readonly TrustedKeyServer[] = []): KeyRing {
  return new KeyRing({
    fetchServerKeys: (serverName) => client.request({ destination: serverName, method: 'GET', path: '/_matrix/key/v2/server', unsigned: true }),
    fetchFromNotary: (notary, serverName) =>
      client.request({ destination: notary, method: 'POST', path: '/_matrix/key/v2/query', body: { server_keys: { [serverName]: {} } } }),
    trustedKeyServers,
    store,
    clock,
    random: Math.random,
    backoff: KEY_FETCH_BACKOFF,
  });
}
