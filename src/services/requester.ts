import type { DeviceId, UserId } from '../core/ids.js';

/** Who is making a request: resolved once from the access token by the HTTP layer. */
export interface Requester {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly isAdmin: boolean;
  /** Suspended by an admin: routes marked `deniedWhenSuspended` refuse it (absent: not suspended). */
  readonly suspended?: boolean;
  /** The hash of the access token used, so that logout can remove exactly it. */
  readonly tokenHash: string;
}
