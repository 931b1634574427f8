import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-accounts.js';
import * as m002 from './002-rooms.js';
import * as m003 from './003-sync-extras.js';
import * as m004 from './004-e2ee.js';
import * as m005 from './005-txn-expiry.js';
import * as m006 from './006-to-device-expiry.js';
import * as m007 from './007-key-backup.js';
import * as m010 from './010-server-keys.js';
import * as m013 from './013-account-data-sizes.js';
import * as m014 from './014-federation-outbox.js';
import * as m015 from './015-out-of-band-invites.js';
import * as m017 from './017-media.js';
import * as m018 from './018-push.js';
import * as m019 from './019-admin-users.js';
import * as m020 from './020-admin-rooms.js';
import * as m021 from './021-event-relations.js';
import * as m022 from './022-search-reports.js';
import * as m023 from './023-events-by-timestamp.js';
import * as m024 from './024-event-positions.js';
import * as m027 from './027-refresh-tokens.js';
import * as m028 from './028-account-restrictions.js';

/**
 * The one ordered list of migrations, for both dialects. Migrations only ever add: a released
 * migration is never edited, and none rewrites existing rows without an explicit, reviewed step.
 */
const MIGRATIONS: Record<string, Migration> = {
  '001-accounts': m001,
  '002-rooms': m002,
  '003-sync-extras': m003,
  '004-e2ee': m004,
  '005-txn-expiry': m005,
  '006-to-device-expiry': m006,
  '007-key-backup': m007,
  '010-server-keys': m010,
  '013-account-data-sizes': m013,
  '014-federation-outbox': m014,
  '015-out-of-band-invites': m015,
  '017-media': m017,
  '018-push': m018,
  '019-admin-users': m019,
  '020-admin-rooms': m020,
  '021-event-relations': m021,
  '022-search-reports': m022,
  '023-events-by-timestamp': m023,
  '024-event-positions': m024,
  '027-refresh-tokens': m027,
  '028-account-restrictions': m028,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
