import type { RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';

export interface AccountDataEntry {
  userId: UserId;
  /** '' for global account data. */
  roomId: RoomId | '';
  type: string;
  content: JsonObject;
}

/**
 * Stores one account data entry at the next position of the account data stream and returns
 * that position. `tx` must be a transaction; announce the position only after it commits.
 */
export async function writeAccountData(tx: Store, entry: AccountDataEntry): Promise<number> {
  const pos = await tx.counters.next('account_data');
  await tx.accountData.put({ ...entry, pos });
  return pos;
}
