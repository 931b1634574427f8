import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrCode, MatrixError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { checkBackupAuthData, checkBackupSession, isBetterBackupKey, parseBackupVersion, type BackupKeyData } from './key-backup.js';

const k = (isVerified: boolean, firstMessageIndex: number, forwardedCount: number): BackupKeyData =>
  ({ isVerified, firstMessageIndex, forwardedCount, sessionData: {} });
const errcodeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof MatrixError);
    return err.errcode;
  }
};
const KEY_32 = Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '');

describe('key backups: the replacement rule and the checks', () => {
  it('is_verified decides first, then the lower first_message_index, then the lower forwarded_count; a tie keeps the stored key', () => {
    assert.equal(isBetterBackupKey(k(false, 0, 0), k(true, 99, 99)), true);
    assert.equal(isBetterBackupKey(k(true, 99, 99), k(false, 0, 0)), false);
    assert.equal(isBetterBackupKey(k(true, 5, 0), k(true, 4, 50)), true);
    assert.equal(isBetterBackupKey(k(false, 4, 50), k(false, 5, 0)), false);
    assert.equal(isBetterBackupKey(k(false, 4, 3), k(false, 4, 2)), true);
    assert.equal(isBetterBackupKey(k(false, 4, 2), k(false, 4, 3)), false);
    assert.equal(isBetterBackupKey(k(true, 4, 2), k(true, 4, 2)), false);
  });

  it('versions are positive decimal integers without leading zeros, within the safe integers', () => {
    assert.equal(parseBackupVersion('1'), 1);
    assert.equal(parseBackupVersion('9007199254740991'), 9007199254740991);
    for (const raw of ['0', '01', '-1', '1.0', '1e3', ' 1', 'a', '', '9007199254740992', '99999999999999999']) assert.equal(parseBackupVersion(raw), undefined, raw);
  });

  it('auth_data: the spec algorithm only, a 32-byte Base64 public_key, well-formed signatures; over 16 KiB is too large', () => {
    assert.equal(errcodeOf(() => checkBackupAuthData('m.megolm_backup.v1.curve25519-aes-sha2', { public_key: KEY_32, other: 1 })), undefined);
    assert.equal(errcodeOf(() => checkBackupAuthData('m.megolm_backup.v1.curve25519-aes-sha2', { public_key: KEY_32, signatures: { '@a:b': { 'ed25519:K': 's' } } })), undefined);
    assert.equal(errcodeOf(() => checkBackupAuthData('m.megolm_backup.v1', { public_key: KEY_32 })), ErrCode.invalidParam);
    for (const bad of [{}, { public_key: KEY_32.slice(1) }, { public_key: `${KEY_32}AA` }, { public_key: KEY_32, signatures: [] }, { public_key: KEY_32, signatures: { u: { k: null } } }] as JsonObject[]) {
      assert.equal(errcodeOf(() => checkBackupAuthData('m.megolm_backup.v1.curve25519-aes-sha2', bad)), ErrCode.invalidParam, JSON.stringify(bad));
    }
    assert.equal(errcodeOf(() => checkBackupAuthData('m.megolm_backup.v1.curve25519-aes-sha2', { public_key: KEY_32, pad: 'x'.repeat(16 * 1024) })), ErrCode.tooLarge);
  });

  it('sessions: IDs of 1 to 255 characters without U+0000; session_data up to 16 KiB', () => {
    const data = (bytes: number): BackupKeyData => ({ ...k(false, 0, 0), sessionData: { c: 'x'.repeat(bytes - 8) } });
    assert.equal(errcodeOf(() => checkBackupSession('s'.repeat(255), data(16 * 1024))), undefined);
    assert.equal(errcodeOf(() => checkBackupSession('s', data(16 * 1024 + 1))), ErrCode.tooLarge);
    for (const id of ['', 's'.repeat(256), 'a\u0000b']) assert.equal(errcodeOf(() => checkBackupSession(id, data(100))), ErrCode.invalidParam, JSON.stringify(id));
  });
});
