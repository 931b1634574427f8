import type { Kysely } from 'kysely';
import type { ServerKeyStore } from '../store.js';
import type { Database } from './tables.js';

export interface ServerKeysTable {
  server_name: string;
  key_id: string;
  public_key: string;
  valid_until_ts: number;
}

export class KyselyServerKeyStore implements ServerKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(serverName: string, keys: Readonly<Record<string, { key: string; validUntilTs: number }>>): Promise<void> {
    const rows = Object.entries(keys).map(([keyId, { key, validUntilTs }]) => ({
      server_name: serverName, key_id: keyId, public_key: key, valid_until_ts: validUntilTs,
    }));
    if (rows.length === 0) return;
    await this.db
      .insertInto('server_keys')
      .values(rows)
      .onConflict((oc) => oc.columns(['server_name', 'key_id']).doUpdateSet((eb) => ({
        public_key: eb.ref('excluded.public_key'),
        valid_until_ts: eb.ref('excluded.valid_until_ts'),
      })))
      .execute();
  }

  async get(serverName: string): Promise<Record<string, { key: string; validUntilTs: number }>> {
    const rows = await this.db.selectFrom('server_keys').select(['key_id', 'public_key', 'valid_until_ts']).where('server_name', '=', serverName).execute();
    // No prototype: key IDs come from remote servers.
    const keys = Object.create(null) as Record<string, { key: string; validUntilTs: number }>;
    for (const row of rows) keys[row.key_id] = { key: row.public_key, validUntilTs: Number(row.valid_until_ts) };
    return keys;
  }
}
