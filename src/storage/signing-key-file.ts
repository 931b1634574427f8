import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatSigningKeyLine, generateSigningKey, parseSigningKeyFile, type SigningKey } from '../core/events/signing-key.js';

/**
 * Loads the server's signing key from its file, generating it on first start. The file is
 * created exclusively with mode 0600, so two processes starting together cannot write two keys.
 */
export function loadOrCreateSigningKey(file: string): SigningKey {
  try {
    return firstKey(file, readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = generateSigningKey(randomBytes);
  try {
    writeFileSync(file, `${formatSigningKeyLine(key)}\n`, { flag: 'wx', mode: 0o600 });
    return key;
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return firstKey(file, readFileSync(file, 'utf8'));
    throw err;
  }
}

function firstKey(file: string, text: string): SigningKey {
  const keys = parseSigningKeyFile(text);
  if (keys.length === 0) throw new Error(`signing key file ${file} holds no key`);
  return keys[0]!;
}
