// The federation listener as an operator runs it (issue 15): `hearth serve` with HTTPS on a loopback
// address, a certificate from a throwaway CA made here with openssl, the keys fetched over TLS and
// their signature checked with Hearth's own code; shutdown closes both listeners; a missing
// certificate or a taken federation port is one `hearth: …` line.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyJsonSignature } from '../../src/core/events/signing.js';
import { parseSigningKeyFile, publicKeyBase64 } from '../../src/core/events/signing-key.js';
import { exitOf, freePort, runHearth, spawnHearth, waitForHttp } from '../helpers/child-server.js';
import { hasOpenssl, httpsGet, makeCertificates, OPENSSL_SKIP_REASON } from '../helpers/test-certificates.js';

/** 127.0.0.11: a loopback address of its own (all of 127/8 is local on Linux), as a server name with a port would name it. */
const HOST = '127.0.0.11';
describe('serve with a federation listener over HTTPS', { skip: hasOpenssl ? false : OPENSSL_SKIP_REASON }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-federation-'));
  let files: { ca: string; cert: string; key: string };
  after(() => rmSync(dir, { recursive: true, force: true }));
  before(() => {
    files = makeCertificates(dir, HOST);
  });

  it('serves the version and the signed keys over TLS; SIGTERM closes both listeners and exits 0', async () => {
    const [port, fedPort] = [await freePort(), await freePort()];
    const serverName = `${HOST}:${fedPort}`;
    const dataDir = path.join(dir, 'data');
    const child = spawnHearth([
      'serve', '--port', String(port), '--data-dir', dataDir, '--server-name', serverName,
      '--federation-host', HOST, '--federation-port', String(fedPort), '--tls-certificate', files.cert, '--tls-private-key', files.key,
    ]);
    const ca = readFileSync(files.ca);
    const fed = `https://${HOST}:${fedPort}`;
    try {
      await waitForHttp(`http://127.0.0.1:${port}/_matrix/client/versions`);
      const version = await httpsGet(`${fed}/_matrix/federation/v1/version`, ca);
      assert.equal(version.status, 200);
      assert.equal((version.body as { server: { name: string } }).server.name, 'Hearth');

      const [signingKey] = parseSigningKeyFile(readFileSync(path.join(dataDir, 'signing.key'), 'utf8'));
      const keyId = signingKey!.keyId;
      for (const url of [`${fed}/_matrix/key/v2/server`, `${fed}/_matrix/key/v2/server/${encodeURIComponent(keyId)}`]) {
        const keys = await httpsGet(url, ca);
        assert.equal(keys.status, 200, url);
        const body = keys.body as { server_name: string; verify_keys: Record<string, { key: string }> };
        assert.equal(body.server_name, serverName);
        assert.deepEqual(body.verify_keys, { [keyId]: { key: publicKeyBase64(signingKey!) } });
        assert.ok(verifyJsonSignature(body, serverName, keyId, publicKeyBase64(signingKey!)), url);
      }
      const query = await httpsGet(`${fed}/_matrix/key/v2/query/${encodeURIComponent(serverName)}`, ca);
      const [own] = (query.body as { server_keys: Array<{ server_name: string }> }).server_keys;
      assert.ok(verifyJsonSignature(own!, serverName, keyId, publicKeyBase64(signingKey!)));

      // Only a client that trusts the CA gets through: the listener really presents that certificate.
      await assert.rejects(httpsGet(`${fed}/_matrix/federation/v1/version`, Buffer.from('')), /self-signed|unable to (get|verify)|certificate/i);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exitOf(child), 0);
    await assert.rejects(httpsGet(`${fed}/_matrix/federation/v1/version`, ca), /ECONNREFUSED/);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/_matrix/client/versions`));
  });

  it('a missing certificate file, a key of another certificate, or a taken federation port: one line, exit 1', async () => {
    const serve = (fedPort: number, cert: string, key: string) => runHearth([
      'serve', '--port', '0', '--data-dir', path.join(dir, 'errors'),
      '--federation-host', HOST, '--federation-port', String(fedPort), '--tls-certificate', cert, '--tls-private-key', key,
    ]);
    const missing = await serve(0, path.join(dir, 'nothing.pem'), files.key);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`^hearth: cannot read the TLS certificate ${dir}/nothing\\.pem: no such file; check --tls-certificate and --tls-private-key\\n$`));

    const wrongKey = await serve(0, files.cert, path.join(dir, 'ca.key'));
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /^hearth: cannot use the TLS certificate \S+server\.pem with the key \S+ca\.key: [^\n]+\n$/);

    const fedPort = await freePort();
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(fedPort, HOST, resolve));
    try {
      const taken = await serve(fedPort, files.cert, files.key);
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, new RegExp(`^hearth: cannot listen on 127\\.0\\.0\\.11:${fedPort}: the port is already in use .*choose another --federation-port\\n$`));
    } finally {
      other.close();
    }
  });
});

describe('serve with a plain-HTTP federation listener (behind a TLS proxy)', () => {
  it('serves /_matrix/federation/v1/version over HTTP', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hearth-federation-http-'));
    const [port, fedPort] = [await freePort(), await freePort()];
    const child = spawnHearth(['serve', '--port', String(port), '--data-dir', dir], { HEARTH_FEDERATION_PORT: String(fedPort) });
    try {
      await waitForHttp(`http://127.0.0.1:${fedPort}/_matrix/federation/v1/version`);
      const res = await fetch(`http://127.0.0.1:${fedPort}/_matrix/key/v2/server`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { server_name: string }).server_name, 'localhost');
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exitOf(child), 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
