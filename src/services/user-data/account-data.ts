import { ErrCode, MatrixError, badJson, forbidden, notFound } from '../../core/errors.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { IGNORED_USER_LIST_TYPE, ignoredUserListProblem } from '../../core/ignored-users.js';
import type { Store } from '../../storage/store.js';
import type { Notifier } from '../notifier.js';
import type { Quotas } from '../quotas.js';
import type { Requester } from '../requester.js';
import { PUSH_RULES_TYPE, type PushRules } from './push-rules.js';
import { writeAccountData } from './write-account-data.js';

/**
 * Account data the server maintains itself: `m.fully_read` (read markers) and `m.push_rules` (the
 * push rule API). Outside the quotas: one marker per room, and push rules have their own limits.
 */
const SERVER_MANAGED = new Set(['m.fully_read', 'm.push_rules']);

export interface AccountDataEvent {
  type: string;
  content: JsonObject;
}

/** What changed in a user's account data since a position, shaped for /sync. */
export interface AccountDataChanges {
  global: AccountDataEvent[];
  rooms: Map<RoomId, AccountDataEvent[]>;
  /** The position up to which every change is included: below the requested one when the rest did not fit. */
  through: number;
}

/** Per-user (global and per-room) account data: `/user/{userId}/[rooms/{roomId}/]account_data/{type}`. */
export class AccountData {
  constructor(private readonly deps: { store: Store; notifier: Notifier; pushRules: PushRules; quotas: Quotas }) {}

  async put(requester: Requester, userId: UserId, type: string, content: JsonObject, roomId?: RoomId): Promise<void> {
    if (requester.userId !== userId) throw forbidden('Cannot add account data for other users');
    if (SERVER_MANAGED.has(type)) {
      // The spec's status for a server-controlled type: 405 with M_BAD_JSON.
      throw new MatrixError(405, ErrCode.badJson, `Cannot set ${type} through this API`);
    }
    if (roomId === undefined && type === IGNORED_USER_LIST_TYPE) {
      // Sync and the read paths trust the stored list, so a malformed one is refused here (400 M_BAD_JSON, the spec's errcode for a bad body).
      const problem = ignoredUserListProblem(content, userId);
      if (problem !== undefined) throw badJson(problem);
    }
    await this.modify(userId, roomId ?? '', type, () => content);
  }

  /**
   * Replaces one entry by what `change` makes of it (undefined when absent) under the user's quota
   * lock, so concurrent changes of one user apply one after another; for APIs that edit part of an
   * entry (room tags). `change` returning undefined writes nothing.
   */
  async modify(userId: UserId, roomId: RoomId | '', type: string, change: (content: JsonObject | undefined) => JsonObject | undefined): Promise<void> {
    const pos = await this.deps.store.transaction(async (tx) => {
      await tx.accounts.lock(userId);
      const content = change(await tx.accountData.get(userId, roomId, type));
      if (content === undefined) return undefined;
      const entry = { userId, roomId, type, content } as const;
      await this.deps.quotas.checkAccountData(tx, { ...entry, bytes: Buffer.byteLength(JSON.stringify(content)) }, [...SERVER_MANAGED]);
      return writeAccountData(tx, entry);
    });
    if (pos !== undefined) this.deps.notifier.announce({ pos, userIds: [userId] });
  }

  async get(requester: Requester, userId: UserId, type: string, roomId?: RoomId): Promise<JsonObject> {
    if (requester.userId !== userId) throw forbidden('Cannot read account data of other users');
    if (roomId === undefined && type === PUSH_RULES_TYPE) return this.pushRulesContent(userId);
    const content = await this.deps.store.accountData.get(userId, roomId ?? '', type);
    if (!content) throw notFound(roomId === undefined ? 'Account data not found' : 'Room account data not found');
    return content;
  }

  /**
   * The user's account data written after `sincePos` (up to `upTo`), for /sync; `undefined` for an
   * initial sync, which always carries `m.push_rules` (computed live), as clients expect. One call
   * carries at most the quota's entries and bytes (plus one entry), so a user holding more (stored
   * before the quotas, or before they were lowered) gets it over several syncs instead of a
   * response too large to build; `through` says how far it got.
   */
  async changes(userId: UserId, sincePos: number | undefined, upTo?: number): Promise<AccountDataChanges> {
    const { store, quotas } = this.deps;
    const { accountDataEntries: entries, accountDataBytes: bytes } = quotas.limits;
    const end = upTo ?? (await store.counters.current('account_data'));
    const { entries: rows, through } = await store.accountData.changesWithin(userId, sincePos ?? 0, end, { entries, bytes });
    const out: AccountDataChanges = { global: [], rooms: new Map(), through };
    let pushRulesSeen = false;
    for (const row of rows) {
      if (row.roomId === '') {
        if (row.type === PUSH_RULES_TYPE) {
          pushRulesSeen = true;
          continue;
        }
        out.global.push({ type: row.type, content: row.content });
      } else {
        const list = out.rooms.get(row.roomId) ?? [];
        list.push({ type: row.type, content: row.content });
        out.rooms.set(row.roomId, list);
      }
    }
    if (pushRulesSeen || sincePos === undefined) out.global.push({ type: PUSH_RULES_TYPE, content: await this.pushRulesContent(userId) });
    return out;
  }

  private async pushRulesContent(userId: UserId): Promise<JsonObject> {
    return (await this.deps.pushRules.all(userId)) as unknown as JsonObject;
  }
}
