import { notFound } from '../../core/errors.js';
import type { DeviceId } from '../../core/ids.js';
import type { Device, Store } from '../../storage/store.js';
import type { DeviceLists } from '../e2ee/device-lists.js';
import type { Requester } from '../requester.js';
import type { UserInteractiveAuth } from './uia.js';

export interface DeviceView {
  device_id: string;
  display_name?: string;
  last_seen_ip?: string;
  last_seen_ts?: number;
}

function view(d: Device): DeviceView {
  const out: DeviceView = { device_id: d.deviceId };
  if (d.displayName !== null) out.display_name = d.displayName;
  if (d.lastSeenIp !== null) out.last_seen_ip = d.lastSeenIp;
  if (d.lastSeenTs !== null) out.last_seen_ts = d.lastSeenTs;
  return out;
}

/** The device-management API: list, show, rename, delete (the last behind user-interactive auth). */
export class Devices {
  constructor(private readonly deps: { store: Store; uia: UserInteractiveAuth; deviceLists: DeviceLists }) {}

  async list(requester: Requester): Promise<{ devices: DeviceView[] }> {
    return { devices: (await this.deps.store.devices.list(requester.userId)).map(view) };
  }

  async get(requester: Requester, deviceId: DeviceId): Promise<DeviceView> {
    const device = await this.deps.store.devices.get(requester.userId, deviceId);
    if (!device) throw notFound('Unknown device');
    return view(device);
  }

  async rename(requester: Requester, deviceId: DeviceId, displayName: string | undefined): Promise<void> {
    if (displayName === undefined) {
      if (!(await this.deps.store.devices.get(requester.userId, deviceId))) throw notFound('Unknown device');
      return;
    }
    if (!(await this.deps.store.devices.setDisplayName(requester.userId, deviceId, displayName))) throw notFound('Unknown device');
  }

  /** Deletes devices after the user re-enters their password. Unknown devices are ignored (as the spec's bulk delete does). */
  async delete(requester: Requester, deviceIds: DeviceId[], auth: unknown): Promise<void> {
    await this.deps.uia.require({
      purpose: `delete_devices:${[...deviceIds].sort().join(',')}`,
      flows: [{ stages: ['m.login.password'] }],
      auth,
      userId: requester.userId,
      checkStage: this.deps.uia.passwordStage(requester.userId),
    });
    const { deviceLists } = this.deps;
    deviceLists.announce(await this.deps.store.transaction((tx) => deviceLists.deleteDevices(tx, requester.userId, { deviceIds })));
  }
}
