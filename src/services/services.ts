import type { Clock } from '../core/clock.js';
import type { Config } from '../config/schema.js';
import type { Store } from '../storage/store.js';
import { Devices } from './accounts/devices.js';
import { PasswordChange } from './accounts/password-change.js';
import { Profiles } from './accounts/profiles.js';
import { Registration } from './accounts/registration.js';
import { Sessions } from './accounts/sessions.js';
import { UserInteractiveAuth } from './accounts/uia.js';
import { RateLimiter } from './rate-limiter.js';

/** Every service, constructed once in app.ts and handed to the HTTP layer. */
export interface Services {
  readonly sessions: Sessions;
  readonly registration: Registration;
  readonly devices: Devices;
  readonly passwords: PasswordChange;
  readonly profiles: Profiles;
  readonly rateLimiter: RateLimiter;
}

export function createServices(deps: { store: Store; clock: Clock; config: Config }): Services {
  const { store, clock, config } = deps;
  const uia = new UserInteractiveAuth(store, clock);
  const sessions = new Sessions({ store, clock, serverName: config.serverName, publicBaseUrl: config.publicBaseUrl });
  return {
    sessions,
    registration: new Registration({
      store, clock, uia, sessions,
      serverName: config.serverName,
      enabled: config.enableRegistration,
      registrationTokens: config.registrationTokens,
      passwordHashing: config.passwordHashing,
    }),
    devices: new Devices({ store, uia, serverName: config.serverName }),
    passwords: new PasswordChange({ store, uia, serverName: config.serverName, passwordHashing: config.passwordHashing }),
    profiles: new Profiles({ store }),
    rateLimiter: new RateLimiter(clock),
  };
}
