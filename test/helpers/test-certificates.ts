// Throwaway certificate authorities made with openssl at test time, for TLS between test peers,
// and an HTTPS GET that trusts only a given CA.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** Why a suite that needs the test certificates is skipped. */
export const OPENSSL_SKIP_REASON = 'openssl is not installed: it makes the test certificates (apt-get install openssl)';

function openssl(cwd: string, args: string[]): void {
  const run = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${run.stderr}`);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface CertificateAuthority {
  /** Where its files live (and the certificates it issues). */
  dir: string;
  /** Its certificate (PEM): what a peer trusting it is given. */
  cert: string;
  key: string;
}

/** A CA valid for a day, in `dir` (created if missing). */
export function makeCertificateAuthority(dir: string, name = 'Hearth test CA'): CertificateAuthority {
  mkdirSync(dir, { recursive: true });
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', `/CN=${name}`]);
  return { dir, cert: path.join(dir, 'ca.pem'), key: path.join(dir, 'ca.key') };
}

/** A server certificate for the IP address `host`, signed by `ca`, valid for a day; files named after `name`. */
export function issueCertificate(ca: CertificateAuthority, host: string, name = 'server'): { cert: string; key: string } {
  const { dir } = ca;
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${host}`]);
  writeFileSync(path.join(dir, `${name}.cnf`), `subjectAltName=IP:${host}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.cnf`]);
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}

/** In `dir`, a CA and a certificate for the IP address `host` signed by it; returns the files' paths. */
export function makeCertificates(dir: string, host: string): { ca: string; cert: string; key: string } {
  const ca = makeCertificateAuthority(dir);
  return { ca: ca.cert, ...issueCertificate(ca, host) };
}

/** GET over HTTPS, trusting only `ca` (PEM): resolves to the status and the parsed body; rejects on a TLS failure. */
export function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false, timeout: 20_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 20 s`)));
    req.on('error', reject);
    req.end();
  });
}
