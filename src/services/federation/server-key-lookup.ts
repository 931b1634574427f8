/**
 * Where the federation listener's request authentication and event signature checks get the
 * public keys of other servers. Implemented by the key ring (fetched, verified and cached
 * `/_matrix/key/v2/server` answers, notaries as fallback); tests pass a fake.
 */
export interface ServerKeyLookup {
  /**
   * The public keys of `serverName` among `keyIds` (key ID to unpadded Base64) that were valid
   * at `atMs` (milliseconds since the epoch), fetching the server's keys when the cache has none
   * valid; keys that cannot be found are left out, so `{}` means none. Never throws for an
   * unreachable or misbehaving server.
   */
  keysFor(serverName: string, keyIds: readonly string[], atMs: number): Promise<Readonly<Record<string, string>>>;
}
