import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { AuthRejected, badJson, ErrCode, forbidden, invalidParam, MatrixError, notFound, roomInUse, unsupportedRoomVersion } from '../../core/errors.js';
import { domainOf, parseRoomAlias, parseUserId, type RoomAlias, type RoomId, type UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { getRoomVersion } from '../../core/room-versions.js';
import { ConflictError } from '../../storage/errors.js';
import type { Store } from '../../storage/store.js';
import type { RoomTransaction, RoomWriter } from '../events/room-writer.js';
import type { Requester } from '../requester.js';
import { memberContent } from '../membership/member-content.js';
import { initialPowerLevels, type Preset } from './power-levels-defaults.js';

export interface CreateRoomInput {
  visibility?: 'public' | 'private';
  room_alias_name?: string;
  name?: string;
  topic?: string;
  invite?: string[];
  room_version?: string;
  creation_content?: JsonObject;
  initial_state?: Array<{ type: string; state_key?: string; content: JsonObject }>;
  preset?: Preset;
  is_direct?: boolean;
  power_level_content_override?: JsonObject;
}

const PRESET_STATE: Record<Preset, { joinRule: string; history: string; guestAccess: string }> = {
  private_chat: { joinRule: 'invite', history: 'shared', guestAccess: 'can_join' },
  trusted_private_chat: { joinRule: 'invite', history: 'shared', guestAccess: 'can_join' },
  public_chat: { joinRule: 'public', history: 'shared', guestAccess: 'forbidden' },
};

/** `POST /createRoom`: the room's first events, in the spec's order, in one transaction. */
export class RoomCreation {
  constructor(private readonly deps: { store: Store; clock: Clock; writer: RoomWriter; serverName: string; defaultRoomVersion: string }) {}

  async create(requester: Requester, input: CreateRoomInput): Promise<{ room_id: RoomId }> {
    const versionId = input.room_version ?? this.deps.defaultRoomVersion;
    const version = getRoomVersion(versionId);
    if (!version) throw unsupportedRoomVersion(versionId);
    const invitees = await this.checkInvitees(requester.userId, input.invite ?? []);
    const alias = input.room_alias_name === undefined ? undefined : this.aliasFor(input.room_alias_name);
    const preset = input.preset ?? (input.visibility === 'public' ? 'public_chat' : 'private_chat');
    const roomId = `!${randomBytes(12).toString('base64url')}:${this.deps.serverName}` as RoomId;
    const creator = requester.userId;

    await this.deps.writer.create(
      { roomId, version: versionId, creator, isPublic: input.visibility === 'public', createdTs: this.deps.clock.now() },
      async (room) => {
        const creationContent = { ...(input.creation_content ?? {}), room_version: versionId } as JsonObject;
        if (version.createHasCreator) creationContent.creator = creator;
        else delete creationContent.creator;
        await room.append({ type: 'm.room.create', stateKey: '', sender: creator, content: creationContent });
        await room.append({ type: 'm.room.member', stateKey: creator, sender: creator, content: await memberContent(room.tx, creator, 'join') });
        const levels = { ...initialPowerLevels(creator, preset, invitees), ...(input.power_level_content_override ?? {}) };
        await room.append({ type: 'm.room.power_levels', stateKey: '', sender: creator, content: levels });
        if (alias) await this.addAlias(room, alias, roomId, creator);
        await this.presetState(room, creator, preset, input.initial_state ?? []);
        if (input.name !== undefined) await room.append({ type: 'm.room.name', stateKey: '', sender: creator, content: { name: input.name } });
        if (input.topic !== undefined) await room.append({ type: 'm.room.topic', stateKey: '', sender: creator, content: { topic: input.topic } });
        for (const invitee of invitees) {
          const content = await memberContent(room.tx, invitee, 'invite');
          if (input.is_direct) content.is_direct = true;
          await room.append({ type: 'm.room.member', stateKey: invitee, sender: creator, content });
        }
      },
    ).catch((err: unknown) => {
      // The auth rules refusing one of the room's first events: the state the request asks for is
      // invalid (spec: 400 M_INVALID_ROOM_STATE).
      if (err instanceof AuthRejected) throw new MatrixError(400, ErrCode.invalidRoomState, err.message);
      throw err;
    });
    return { room_id: roomId };
  }

  private async presetState(room: RoomTransaction, sender: UserId, preset: Preset, initialState: CreateRoomInput['initial_state'] & object) {
    const p = PRESET_STATE[preset];
    const given = new Set(initialState.map((e) => `${e.type}\u0000${e.state_key ?? ''}`));
    const defaults: Array<[string, JsonObject]> = [
      ['m.room.join_rules', { join_rule: p.joinRule }],
      ['m.room.history_visibility', { history_visibility: p.history }],
      ['m.room.guest_access', { guest_access: p.guestAccess }],
    ];
    for (const [type, content] of defaults) {
      if (!given.has(`${type}\u0000`)) await room.append({ type, stateKey: '', sender, content });
    }
    for (const e of initialState) {
      if (e.type === 'm.room.create' || e.type === 'm.room.member' || e.type === 'm.room.power_levels') {
        throw badJson(`initial_state may not contain ${e.type}`);
      }
      await room.append({ type: e.type, stateKey: e.state_key ?? '', sender, content: e.content });
    }
  }

  private aliasFor(localpart: string): RoomAlias {
    const alias = parseRoomAlias(`#${localpart}:${this.deps.serverName}`);
    if (!alias || localpart.includes(':')) throw invalidParam('Invalid room_alias_name');
    return alias;
  }

  private async addAlias(room: RoomTransaction, alias: RoomAlias, roomId: RoomId, creator: UserId) {
    try {
      await room.tx.aliases.create(alias, roomId, creator, this.deps.clock.now());
    } catch (err) {
      if (err instanceof ConflictError) throw roomInUse('Room alias already taken');
      throw err;
    }
    await room.append({ type: 'm.room.canonical_alias', stateKey: '', sender: creator, content: { alias } });
  }

  private async checkInvitees(creator: UserId, raw: string[]): Promise<UserId[]> {
    const out: UserId[] = [];
    for (const r of raw) {
      const id = parseUserId(r);
      if (!id) throw invalidParam(`Invalid user ID to invite: ${JSON.stringify(r)}`);
      if (id === creator || out.includes(id)) continue;
      if (domainOf(id) !== this.deps.serverName) throw forbidden('This server does not federate: only local users can be invited');
      if (!(await this.deps.store.accounts.exists(id))) throw notFound(`Unknown user ${id}`);
      out.push(id);
    }
    return out;
  }
}

