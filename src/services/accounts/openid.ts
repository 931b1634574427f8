import type { Clock } from '../../core/clock.js';
import { forbidden, unknownToken } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import { hashAccessToken, newAccessToken } from './access-tokens.js';

/** An OpenID token proves who its holder is to a third party (through `/openid/userinfo`) for an hour. */
export const OPENID_TOKEN_LIFETIME_S = 3600;

export interface OpenIdTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  matrix_server_name: string;
  expires_in: number;
}

/** OpenID tokens: issued to a user for themself, resolved by other servers; stored hashed, with an expiry. */
export class OpenIdTokens {
  constructor(private readonly deps: { store: Store; clock: Clock; serverName: string }) {}

  /** `POST /user/{userId}/openid/request_token`: only for oneself. */
  async request(requester: Requester, userId: UserId): Promise<OpenIdTokenResponse> {
    if (userId !== requester.userId) throw forbidden('You may only request an OpenID token for yourself');
    const token = newAccessToken();
    const now = this.deps.clock.now();
    await this.deps.store.tokens.createOpenId(hashAccessToken(token), userId, now + OPENID_TOKEN_LIFETIME_S * 1000, now);
    return { access_token: token, token_type: 'Bearer', matrix_server_name: this.deps.serverName, expires_in: OPENID_TOKEN_LIFETIME_S };
  }

  /** `GET /_matrix/federation/v1/openid/userinfo`: the user an unexpired token names, else 401 M_UNKNOWN_TOKEN. */
  async userInfo(token: string): Promise<{ sub: UserId }> {
    const userId = await this.deps.store.tokens.openIdUser(hashAccessToken(token), this.deps.clock.now());
    if (userId === undefined) throw unknownToken();
    return { sub: userId };
  }
}
