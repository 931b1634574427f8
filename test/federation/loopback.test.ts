// Federation between real `hearth serve` processes over loopback TLS (issue 15): Hearths A and B
// have certificates from the test CA both trust; C's certificate comes from a CA nobody trusts.
// A client's request for a remote profile makes its Hearth send a signed request to the other,
// which fetches the sender's keys over TLS to check the signature. Scenario suites of later
// features add their `describe`s here on the same net (test/helpers/federation-net.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyJsonSignature } from '../../src/core/events/signing.js';
import { federationNetSkip, startHearths, type FederationNet, type NetHearth } from '../helpers/federation-net.js';
import { V3 } from '../helpers/rest.js';
import { httpsGet } from '../helpers/test-certificates.js';

const profile = (userId: string, field = '') => `${V3}/profile/${encodeURIComponent(userId)}${field === '' ? '' : `/${field}`}`;
const QUERY = '/_matrix/federation/v1/query/profile';
const SERVER_KEYS = '/_matrix/key/v2/server';

describe('federation over loopback TLS', { skip: federationNetSkip, timeout: 180_000 }, () => {
  let net: FederationNet;
  let a: NetHearth;
  let b: NetHearth;
  let c: NetHearth;

  before(async () => {
    net = await startHearths([
      { host: '127.0.0.11', users: ['alice'] },
      // B trusts A as a notary (from its config file, with A's key).
      { host: '127.0.0.12', users: ['bob'], config: ([first]) => ({ federation: { trusted_key_servers: [{ server_name: first!.serverName, verify_keys: first!.verifyKeys }] } }) },
      { host: '127.0.0.13', users: ['carol'], certificate: 'rogue' },
    ]);
    [a, b, c] = net.hearths as [NetHearth, NetHearth, NetHearth];
    for (const [hearth, name, displayname] of [[a, 'alice', 'Alice'], [b, 'bob', 'Bob']] as const) {
      const user = hearth.users[name]!;
      const set = await hearth.call('PUT', profile(user.userId, 'displayname'), user.token, { displayname });
      assert.equal(set.status, 200, JSON.stringify(set.body));
    }
  });
  after(() => net?.stop());

  it('/version and the keys over TLS, verified against the test CA; a client without it is refused', async () => {
    const version = await httpsGet(`${a.federationUrl}/_matrix/federation/v1/version`, net.ca);
    assert.equal(version.status, 200);
    assert.equal((version.body as { server: { name: string } }).server.name, 'Hearth');
    const keys = await httpsGet(`${a.federationUrl}${SERVER_KEYS}`, net.ca);
    assert.equal(keys.status, 200);
    assert.equal((keys.body as { server_name: string }).server_name, a.serverName);
    assert.ok(verifyJsonSignature(keys.body as object, a.serverName, a.signingKey.keyId, a.verifyKeys[a.signingKey.keyId]!));
    // The system's CAs alone do not vouch for the test certificate.
    await assert.rejects(httpsGet(`${a.federationUrl}/_matrix/federation/v1/version`, Buffer.from('')), /self[- ]signed|unable to (get|verify)|certificate/i);
  });

  it('a profile of another Hearth\'s user: a signed request, checked with keys fetched over TLS', async () => {
    const bob = b.users.bob!;
    const alice = a.users.alice!;
    const res = await b.call('GET', profile(alice.userId), bob.token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { displayname: 'Alice' });
    const field = await a.call('GET', profile(bob.userId, 'displayname'), alice.token);
    assert.equal(field.status, 200, JSON.stringify(field.body));
    assert.deepEqual(field.body, { displayname: 'Bob' });
    // Each answered the other's query after fetching the other's keys from it.
    for (const [asked, asker] of [[a, b], [b, a]] as const) {
      await asked.answered(QUERY, 200);
      await asker.answered(SERVER_KEYS, 200);
    }
    const unknown = await b.call('GET', profile(`@nobody:${a.serverName}`), bob.token);
    assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
    assert.equal(unknown.body.errcode, 'M_NOT_FOUND');
  });

  it('B as a notary over TLS: A\'s keys as A signed them, with B\'s signature', async () => {
    const res = await httpsGet(`${b.federationUrl}/_matrix/key/v2/query/${encodeURIComponent(a.serverName)}`, net.ca);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [answer] = (res.body as { server_keys: Array<{ server_name: string }> }).server_keys;
    assert.equal(answer?.server_name, a.serverName);
    for (const signer of [a, b]) {
      const keyId = signer.signingKey.keyId;
      assert.ok(verifyJsonSignature(answer!, signer.serverName, keyId, signer.verifyKeys[keyId]!), signer.serverName);
    }
  });

  it('a Hearth whose certificate the CA did not sign: its requests are refused (its keys cannot be fetched), and it cannot be reached', async () => {
    const carol = c.users.carol!;
    const alice = a.users.alice!;
    // C trusts the test CA, so it reaches A; A cannot verify C's certificate, so not C's signature.
    const fromC = await c.call('GET', profile(alice.userId), carol.token);
    assert.equal(fromC.status, 502, JSON.stringify(fromC.body));
    assert.equal(fromC.body.errcode, 'M_UNKNOWN');
    await a.answered(QUERY, 401);
    const toC = await a.call('GET', profile(carol.userId), alice.token);
    assert.equal(toC.status, 502, JSON.stringify(toC.body));
    assert.equal(toC.body.errcode, 'M_UNKNOWN');
    // No TLS handshake with C completed: it answered nothing but the harness's start-up probe.
    await c.answered('/_matrix/federation/v1/version', 200);
    assert.deepEqual(c.federationRequests(), [{ route: '/_matrix/federation/v1/version', status: 200 }]);
  });
});
