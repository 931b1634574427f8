import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

/** The federation listener's certificate or key cannot be used; the message says which file and why. */
export class TlsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsSetupError';
  }
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : code ?? 'unreadable';
    throw new TlsSetupError(`cannot read the TLS ${what} ${file}: ${why}; check --tls-certificate and --tls-private-key`);
  }
}

/**
 * Reads the PEM certificate chain and private key and checks that they load and belong together,
 * so that a wrong file is one clear line at start-up, not a failure on the first connection.
 */
export function loadTlsFiles(certificatePath: string, privateKeyPath: string): { cert: Buffer; key: Buffer } {
  const cert = readPem(certificatePath, 'certificate');
  const key = readPem(privateKeyPath, 'private key');
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    // OpenSSL's reason ("PEM routines::no start line", "key values mismatch") without its error codes.
    const reason = (err as Error).message.replace(/^error:[0-9A-F]+:/, '');
    throw new TlsSetupError(`cannot use the TLS certificate ${certificatePath} with the key ${privateKeyPath}: ${reason}`);
  }
  return { cert, key };
}
