/**
 * Hearth as a notary (`GET /_matrix/key/v2/query/{serverName}`, `POST /_matrix/key/v2/query`):
 * for its own name, its keys; for another server, that server's answer as the key ring holds or
 * fetches it (its own signature intact) with Hearth's signature added. A server that cannot be
 * had is left out, as the spec allows. Fetches go through the federation client, so the
 * outbound deny-list applies and the key ring's back-off keeps askers from making Hearth hammer
 * a server.
 */
import type { Clock } from '../../core/clock.js';
import { tooLarge } from '../../core/errors.js';
import { serverKeys } from '../../core/events/server-keys.js';
import type { SigningKey } from '../../core/events/signing-key.js';
import { signJson } from '../../core/events/signing.js';
import type { KeyRing } from './key-ring.js';

/** Servers one query may name: each may cost a fetch of up to the federation timeout. */
export const NOTARY_MAX_SERVERS = 50;

export interface KeyCriteria {
  serverName: string;
  /** The key IDs wanted; empty: every key. */
  keyIds: readonly string[];
  /** The answer should stay valid until then; absent: now (the spec's default). */
  minimumValidUntilTs?: number;
}

export class KeyNotary {
  constructor(private readonly deps: { serverName: string; signingKey: SigningKey; clock: Clock; keyRing: KeyRing }) {}

  /** The `server_keys` list: one signed answer per server that could be had. 413 M_TOO_LARGE past NOTARY_MAX_SERVERS. */
  async query(asked: readonly KeyCriteria[]): Promise<object[]> {
    if (asked.length > NOTARY_MAX_SERVERS) throw tooLarge(`A key query may name at most ${NOTARY_MAX_SERVERS} servers`);
    const answers = await Promise.all(asked.map((criteria) => this.answer(criteria)));
    return answers.filter((a): a is object => a !== undefined);
  }

  /**
   * `POST /_matrix/key/v2/query`'s `server_keys` (server name to key ID to criteria): each server
   * with its key IDs and the strictest of their `minimum_valid_until_ts`.
   */
  async queryServerKeys(serverKeys: Readonly<Record<string, Readonly<Record<string, { minimum_valid_until_ts?: number }>>>>): Promise<object[]> {
    return this.query(Object.entries(serverKeys).map(([serverName, keys]) => {
      const minimums = Object.values(keys).flatMap((c) => (c.minimum_valid_until_ts === undefined ? [] : [c.minimum_valid_until_ts]));
      return { serverName, keyIds: Object.keys(keys), ...(minimums.length === 0 ? {} : { minimumValidUntilTs: Math.max(...minimums) }) };
    }));
  }

  private async answer({ serverName, keyIds, minimumValidUntilTs }: KeyCriteria): Promise<object | undefined> {
    const { serverName: own, signingKey, clock, keyRing } = this.deps;
    if (serverName === own) {
      // Answered only when our key is among those asked for (or all are).
      return keyIds.length === 0 || keyIds.includes(signingKey.keyId) ? serverKeys(own, signingKey, clock.now()) : undefined;
    }
    const answer = await keyRing.signedAnswer(serverName, { minimumValidUntilTs: minimumValidUntilTs ?? clock.now(), keyIds });
    return answer === undefined ? undefined : signJson(answer, own, signingKey);
  }
}
