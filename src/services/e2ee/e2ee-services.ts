import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../storage/store.js';
import type { UserInteractiveAuth } from '../accounts/uia.js';
import type { Notifier } from '../notifier.js';
import type { Quotas } from '../quotas.js';
import { CrossSigning } from './cross-signing.js';
import { DeviceKeys } from './device-keys.js';
import { DeviceLists } from './device-lists.js';
import { KeyBackups } from './key-backups.js';
import { OneTimeKeys } from './one-time-keys.js';
import { SignatureUploads } from './signatures.js';
import { E2eeSync } from './sync-section.js';
import { ToDevice } from './to-device.js';

/** The end-to-end encryption services (the server keeps public keys and opaque messages, never plaintext). */
export interface E2eeServices {
  readonly deviceKeys: DeviceKeys;
  readonly oneTimeKeys: OneTimeKeys;
  readonly crossSigning: CrossSigning;
  readonly signatures: SignatureUploads;
  readonly toDevice: ToDevice;
  readonly deviceLists: DeviceLists;
  /** Server-side key backups (`/room_keys/...`). */
  readonly keyBackups: KeyBackups;
  /** The /sync sections: to-device messages, device lists, key counts. */
  readonly sync: E2eeSync;
}

export function createE2eeServices(deps: { store: Store; clock: Clock; notifier: Notifier; uia: UserInteractiveAuth; serverName: string; toDeviceLimits: Config['toDevice']; quotas: Quotas }): E2eeServices {
  const { store, clock, notifier, uia, serverName } = deps;
  const deviceLists = new DeviceLists({ store, notifier });
  const toDevice = new ToDevice({ store, clock, notifier, serverName, limits: deps.toDeviceLimits });
  return {
    deviceKeys: new DeviceKeys({ store, serverName, deviceLists, quotas: deps.quotas }),
    oneTimeKeys: new OneTimeKeys({ store, serverName }),
    crossSigning: new CrossSigning({ store, uia, deviceLists }),
    signatures: new SignatureUploads({ store, deviceLists }),
    toDevice,
    deviceLists,
    keyBackups: new KeyBackups({ store }),
    sync: new E2eeSync({ store, toDevice }),
  };
}
