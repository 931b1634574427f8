// Other homeservers as Hearth's outbound side sees them, without a network: `FakePeers` stands in
// for the federation client (startTestServer's `federationRequester`). Each peer has a signing key
// and serves it at /_matrix/key/v2/server as a real server does; its other routes are handlers a
// test sets. Every request is recorded; a peer that is down, or a route it does not serve, fails
// as the real client fails (FederationRequestError 'unreachable', or 'refused' 404 M_UNRECOGNIZED).
import { randomBytes } from 'node:crypto';
import { generateSigningKey, type SigningKey } from '../../src/core/events/signing-key.js';
import { serverKeys } from '../../src/core/events/server-keys.js';
import {
  answerObject, FederationRequestError, type FederationRequester, type FederationRequestOptions,
} from '../../src/services/federation/federation-client.js';

/**
 * Answers a request: the JSON a peer answers (an object; v1's `[200, object]` where the route
 * has that envelope), or throws (e.g. `refusal(403, 'M_FORBIDDEN')`).
 */
export type PeerHandler = (request: FederationRequestOptions, match: RegExpMatchArray) => unknown;

export interface FakePeer {
  readonly name: string;
  readonly key: SigningKey;
  /** While false, every request to this peer fails as unreachable. */
  up: boolean;
  /** Serves `method` on paths matching `path` (anchored; the first route added that matches wins). */
  on(method: FederationRequestOptions['method'], path: RegExp, handler: PeerHandler): void;
}

/** What a peer answers with a non-2xx status. */
export function refusal(status: number, errcode: string): FederationRequestError {
  return new FederationRequestError('refused', `answered ${status} ${errcode}`, status, errcode);
}

export class FakePeers implements FederationRequester {
  /** Every request made, in order, with its destination. */
  readonly requests: FederationRequestOptions[] = [];
  private readonly peers = new Map<string, FakePeer & { routes: { method: string; path: RegExp; handler: PeerHandler }[] }>();

  /** `now` dates the keys a peer serves (the test server's clock). */
  constructor(private readonly now: () => number = Date.now) {}

  add(name: string, key: SigningKey = generateSigningKey(randomBytes)): FakePeer {
    const routes: { method: string; path: RegExp; handler: PeerHandler }[] = [];
    const peer = {
      name, key, up: true, routes,
      on(method: string, path: RegExp, handler: PeerHandler) {
        routes.push({ method, path, handler });
      },
    };
    this.peers.set(name, peer);
    return peer;
  }

  /** The requests made to one peer (key fetches left out unless `withKeys`). */
  to(name: string, o: { withKeys?: boolean } = {}): FederationRequestOptions[] {
    return this.requests.filter((r) => r.destination === name && (o.withKeys || !r.path.startsWith('/_matrix/key/')));
  }

  async request(request: FederationRequestOptions): Promise<Record<string, unknown>> {
    this.requests.push(request);
    const peer = this.peers.get(request.destination);
    if (!peer || !peer.up) throw new FederationRequestError('unreachable', `${request.destination} could not be reached`);
    if (request.method === 'GET' && request.path === '/_matrix/key/v2/server') return serverKeys(peer.name, peer.key, this.now());
    for (const route of peer.routes) {
      const match = route.method === request.method ? request.path.match(route.path) : null;
      // Read as the real client reads an answer: what is not the JSON object expected is a bad response.
      if (match) return answerObject(await route.handler(request, match), request, 200);
    }
    throw refusal(404, 'M_UNRECOGNIZED');
  }
}
