/**
 * Room aliases of other servers, asked of the alias's server (`GET
 * /_matrix/federation/v1/query/directory`) for a client's `GET /directory/room/{roomAlias}`. Not
 * cached: an alias may be repointed at any time, and the lookup is one request a client makes
 * before joining. What the peer answers is checked before it reaches the client.
 */
import { notFound, unknownError } from '../../core/errors.js';
import { parseServerAddress } from '../../core/federation/server-name.js';
import { domainOf, parseRoomId, type RoomAlias, type RoomId } from '../../core/ids.js';
import { FederationRequestError, type FederationRequester } from './federation-client.js';

/** Servers passed on from one answer at most: they only serve as hints to join through. */
export const MAX_ALIAS_SERVERS = 50;

export class RemoteAliases {
  constructor(private readonly deps: { federation: FederationRequester }) {}

  /** 404 M_NOT_FOUND when the alias's server says so; 502 M_UNKNOWN when it cannot be reached or answers nonsense. */
  async resolve(alias: RoomAlias): Promise<{ room_id: RoomId; servers: string[] }> {
    let answer: Record<string, unknown>;
    try {
      answer = await this.deps.federation.request({
        destination: domainOf(alias),
        method: 'GET',
        path: '/_matrix/federation/v1/query/directory',
        query: { room_alias: alias },
      });
    } catch (err) {
      if (!(err instanceof FederationRequestError)) throw err;
      if (err.kind === 'refused' && err.status === 404) throw notFound('Room alias not found');
      throw unknownError(502, "Could not resolve the alias at its server");
    }
    const roomId = typeof answer['room_id'] === 'string' ? parseRoomId(answer['room_id']) : undefined;
    const servers = Array.isArray(answer['servers']) ? answer['servers'] : undefined;
    if (!roomId || !servers) throw unknownError(502, "The alias's server answered with no room");
    const valid = servers.filter((s): s is string => typeof s === 'string' && parseServerAddress(s) !== undefined);
    return { room_id: roomId, servers: [...new Set(valid)].slice(0, MAX_ALIAS_SERVERS) };
  }
}
