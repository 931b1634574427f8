/**
 * Asks the server of a user Hearth invites to co-sign the invite (server-server API, "Inviting to
 * a room"): `PUT /v2/invite` with the room version and the room's stripped state, or the older
 * `/v1/invite` when the peer does not know v2. Nothing here holds a transaction or a lock: the
 * caller built the event outside them and stores the co-signed one afterwards (see Invite).
 */
import { forbidden, unknownError, type MatrixError } from '../../core/errors.js';
import { isSameEvent, withPeerSignatures } from '../../core/federation/outbound-invite.js';
import { federationPdu } from '../../core/federation/pdu.js';
import type { Pdu, RoomEvent } from '../../core/events/types.js';
import { domainOf, type UserId } from '../../core/ids.js';
import { isJsonObject } from '../../core/json.js';
import type { RoomVersion } from '../../core/room-versions.js';
import type { Store } from '../../storage/store.js';
import { effectiveEvents } from '../events/effective-state.js';
import { STRIPPED_STATE_KEYS } from '../../core/events/client-format.js';
import { FederationRequestError, isUnrecognisedEndpoint, type FederationRequester } from './federation-client.js';
import { verifiedSignaturesOf, type ServerKeyLookup } from './server-key-lookup.js';

export interface InviteCoSigningDeps {
  store: Store;
  client: FederationRequester;
  /** The invitee server's keys, to check its signature. */
  keys: ServerKeyLookup;
}

export class InviteCoSigning {
  constructor(private readonly deps: InviteCoSigningDeps) {}

  /**
   * The invite event with the invitee server's valid signature added. The peer refusing is 403
   * M_FORBIDDEN; a peer that cannot be reached, fails (5xx), or answers anything but our event with
   * its valid signature is 502 M_UNKNOWN: nothing is stored either way.
   */
  async coSign(event: RoomEvent, version: RoomVersion): Promise<RoomEvent> {
    const server = domainOf(event.state_key as UserId);
    const pdu = federationPdu(event);
    const answer = await this.ask(server, event, pdu, version).catch((err: unknown) => {
      throw err instanceof FederationRequestError ? clientError(err, server) : err;
    });
    if (!isJsonObject(answer) || !isSameEvent(answer, pdu) || !isJsonObject(answer['signatures'])) {
      throw unknownError(502, `${server} answered the invite with another event`);
    }
    const theirs = answer as unknown as Pdu;
    const verified = await verifiedSignaturesOf(this.deps.keys, theirs, version, server);
    if (!verified) throw unknownError(502, `${server} did not sign the invite with a valid key`);
    return withPeerSignatures(event, server, theirs, verified);
  }

  /** The event the peer answers: v2, or v1 when the peer does not recognise v2. */
  private async ask(server: string, event: RoomEvent, pdu: Pdu, version: RoomVersion): Promise<unknown> {
    const path = (v: string) => `/_matrix/federation/${v}/invite/${encodeURIComponent(event.room_id)}/${encodeURIComponent(event.event_id)}`;
    const inviteRoomState = await this.inviteRoomState(event, version);
    try {
      const answer = await this.deps.client.request({
        destination: server, method: 'PUT', path: path('v2'),
        body: { room_version: version.id, event: pdu, invite_room_state: inviteRoomState },
      });
      return answer['event'];
    } catch (err) {
      if (!isUnrecognisedEndpoint(err)) throw err;
    }
    // v1 carries the stripped state in the event's `unsigned`, which no signature covers.
    const answer = await this.deps.client.request({
      destination: server, method: 'PUT', path: path('v1'), v1Envelope: true,
      body: { ...pdu, unsigned: { invite_room_state: inviteRoomState } },
    });
    return answer['event'];
  }

  /**
   * The room's stripped state (the state types `/sync` shows invitees), each event in its federation
   * form, as the spec asks since v1.16 (the create event included); a receiver that expects stripped
   * state reads the type, state key, sender and content it has. Redacted events go redacted.
   */
  private async inviteRoomState(event: RoomEvent, version: RoomVersion): Promise<Pdu[]> {
    const state = await this.deps.store.state.current(event.room_id, STRIPPED_STATE_KEYS);
    return effectiveEvents(state, version).map(federationPdu);
  }
}

function clientError(err: FederationRequestError, server: string): MatrixError {
  if (err.kind === 'refused' && err.status !== undefined && err.status < 500) {
    return forbidden(`${server} refused the invite${err.errcode ? ` (${err.errcode})` : ''}`);
  }
  return unknownError(502, `${server} could not be reached to deliver the invite`);
}
