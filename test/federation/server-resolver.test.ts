import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FederationResolutionError,
  ServerResolver,
  type FederationDns,
  type SrvRecord,
  type WellKnownResponse,
} from '../../src/services/federation/server-resolver.js';
import { FakeClock } from '../helpers/fake-clock.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** DNS and well-known answers from tables; every query is recorded. */
class FakeNetwork {
  readonly queries: string[] = [];
  srv: Record<string, SrvRecord[]> = {};
  hosts: Record<string, string[]> = {};
  wellKnown: Record<string, WellKnownResponse | 'network-error'> = {};

  readonly dns: FederationDns = {
    resolveSrv: async (name) => {
      this.queries.push(`SRV ${name}`);
      return this.srv[name] ?? [];
    },
    lookup: async (hostname) => {
      this.queries.push(`A ${hostname}`);
      return this.hosts[hostname] ?? [];
    },
  };

  readonly fetchWellKnown = async (hostname: string): Promise<WellKnownResponse> => {
    this.queries.push(`GET https://${hostname}/.well-known/matrix/server`);
    const answer = this.wellKnown[hostname];
    if (answer === undefined) return { status: 404, body: { errcode: 'M_UNRECOGNIZED' } };
    if (answer === 'network-error') throw new Error('ECONNREFUSED');
    return answer;
  };
}

function setup(allowPrivate = false, maxCacheEntries?: number) {
  const net = new FakeNetwork();
  const clock = new FakeClock();
  const resolver = new ServerResolver({ dns: net.dns, fetchWellKnown: net.fetchWellKnown, clock, allowPrivate, maxCacheEntries });
  return { net, clock, resolver };
}

const target = (host: string, port: number, hostHeader: string, tlsServerName: string) => ({ host, port, hostHeader, tlsServerName });
const delegate = (server: string, extra: Partial<WellKnownResponse> = {}): WellKnownResponse => ({
  status: 200,
  body: { 'm.server': server },
  ...extra,
});

describe('ServerResolver: each step with a fake resolver and fetcher', () => {
  it('1: an IP literal is used as it is, with no DNS or well-known query', async () => {
    const { net, resolver } = setup();
    assert.deepEqual(await resolver.targets('[2606:4700::1]'), [target('2606:4700::1', 8448, '[2606:4700::1]', '2606:4700::1')]);
    assert.deepEqual(await resolver.targets('8.8.8.8:1234'), [target('8.8.8.8', 1234, '8.8.8.8:1234', '8.8.8.8')]);
    assert.deepEqual(net.queries, []);
  });

  it('2: an explicit port skips well-known and SRV', async () => {
    const { net, resolver } = setup();
    assert.deepEqual(await resolver.targets('example.com:8000'), [target('example.com', 8000, 'example.com:8000', 'example.com')]);
    assert.deepEqual(net.queries, []);
  });

  it('3.1 / 3.2: well-known delegation to an IP literal or a name with a port', async () => {
    const { net, resolver } = setup();
    net.wellKnown['a.example'] = delegate('[2606:4700::2]:443');
    net.wellKnown['b.example'] = delegate('matrix.b.example:443');
    assert.deepEqual(await resolver.targets('a.example'), [target('2606:4700::2', 443, '[2606:4700::2]:443', '2606:4700::2')]);
    assert.deepEqual(await resolver.targets('b.example'), [target('matrix.b.example', 443, 'matrix.b.example:443', 'matrix.b.example')]);
    assert.deepEqual(net.queries, ['GET https://a.example/.well-known/matrix/server', 'GET https://b.example/.well-known/matrix/server']);
  });

  it('3.3: a bare delegated name: SRV _matrix-fed._tcp of it, Host and certificate the delegated name', async () => {
    const { net, resolver } = setup();
    net.wellKnown['example.com'] = delegate('matrix.example.net');
    net.srv['_matrix-fed._tcp.matrix.example.net'] = [{ name: 'host1.example.net', port: 8500, priority: 0, weight: 0 }];
    net.srv['_matrix._tcp.matrix.example.net'] = [{ name: 'old.example.net', port: 8600, priority: 0, weight: 0 }];
    assert.deepEqual(await resolver.targets('example.com'), [
      target('host1.example.net', 8500, 'matrix.example.net', 'matrix.example.net'),
    ]);
    assert.deepEqual(net.queries.slice(1), ['SRV _matrix-fed._tcp.matrix.example.net']);
  });

  it('3.4: then the deprecated _matrix._tcp; 3.5: then port 8448 of the delegated name', async () => {
    const { net, resolver } = setup();
    net.wellKnown['example.com'] = delegate('matrix.example.net');
    net.srv['_matrix._tcp.matrix.example.net'] = [{ name: 'old.example.net', port: 8600, priority: 0, weight: 0 }];
    assert.deepEqual(await resolver.targets('example.com'), [target('old.example.net', 8600, 'matrix.example.net', 'matrix.example.net')]);
    net.srv = {};
    assert.deepEqual(await resolver.targets('example.com'), [target('matrix.example.net', 8448, 'matrix.example.net', 'matrix.example.net')]);
    assert.deepEqual(net.queries.slice(1), [
      'SRV _matrix-fed._tcp.matrix.example.net',
      'SRV _matrix._tcp.matrix.example.net',
      'SRV _matrix-fed._tcp.matrix.example.net',
      'SRV _matrix._tcp.matrix.example.net',
    ]);
  });

  it('4 to 6: no well-known (404, bad JSON, bad m.server, network error): SRV of the server name, else 8448', async () => {
    const failures: [string, WellKnownResponse | 'network-error' | undefined][] = [
      ['n404.example', undefined],
      ['bad-json.example', { status: 200, body: undefined }],
      ['bad-server.example', delegate('not a name')],
      ['redirect.example', { status: 302, body: { 'm.server': 'x.example:1' } }],
      ['down.example', 'network-error'],
    ];
    for (const [name, answer] of failures) {
      const { net, resolver } = setup();
      if (answer !== undefined) net.wellKnown[name] = answer;
      net.srv[`_matrix-fed._tcp.${name}`] = [{ name: 'fed.example.net', port: 1000, priority: 0, weight: 0 }];
      assert.deepEqual(await resolver.targets(name), [target('fed.example.net', 1000, name, name)], name);
      delete net.srv[`_matrix-fed._tcp.${name}`];
      net.srv[`_matrix._tcp.${name}`] = [{ name: 'legacy.example.net', port: 2000, priority: 0, weight: 0 }];
      assert.deepEqual(await resolver.targets(name), [target('legacy.example.net', 2000, name, name)], name);
      net.srv = {};
      assert.deepEqual(await resolver.targets(name), [target(name, 8448, name, name)], name);
    }
  });

  it('refuses what is not a server name', async () => {
    const { resolver } = setup();
    await assert.rejects(resolver.targets('bad name'), FederationResolutionError);
    await assert.rejects(resolver.targets('example.com:0'), FederationResolutionError);
  });
});

describe('ServerResolver: the well-known cache', () => {
  const fetches = (net: FakeNetwork) => net.queries.filter((q) => q.startsWith('GET')).length;

  it('keeps an answer for its max-age, then asks again', async () => {
    const { net, clock, resolver } = setup();
    net.wellKnown['example.com'] = delegate('matrix.example.net:443', { cacheControl: 'max-age=3600' });
    await resolver.targets('example.com');
    clock.advance(HOUR - 1);
    await resolver.targets('example.com');
    assert.equal(fetches(net), 1);
    clock.advance(1);
    net.wellKnown['example.com'] = delegate('moved.example.net:443');
    assert.deepEqual(await resolver.targets('example.com'), [target('moved.example.net', 443, 'moved.example.net:443', 'moved.example.net')]);
    assert.equal(fetches(net), 2);
  });

  it('keeps an answer without headers 24 hours, and none longer than 48 hours', async () => {
    const { net, clock, resolver } = setup();
    net.wellKnown['a.example'] = delegate('m.a.example:443');
    net.wellKnown['b.example'] = delegate('m.b.example:443', { cacheControl: 'max-age=31536000' });
    await resolver.targets('a.example');
    await resolver.targets('b.example');
    clock.advance(24 * HOUR - 1);
    await resolver.targets('a.example');
    assert.equal(fetches(net), 2);
    clock.advance(1);
    await resolver.targets('a.example');
    assert.equal(fetches(net), 3);
    clock.advance(24 * HOUR - 1);
    await resolver.targets('b.example');
    assert.equal(fetches(net), 3);
    clock.advance(1);
    await resolver.targets('b.example');
    assert.equal(fetches(net), 4);
  });

  it('keeps a failure 5 minutes, doubling while it keeps failing, and forgets the count on success', async () => {
    const { net, clock, resolver } = setup();
    net.wellKnown['example.com'] = 'network-error';
    const expected = [5, 10, 20, 40, 60, 60];
    for (const minutes of expected) {
      const before = fetches(net);
      await resolver.targets('example.com');
      clock.advance(minutes * MIN - 1);
      await resolver.targets('example.com');
      assert.equal(fetches(net), before + 1, `${minutes} minutes`);
      clock.advance(1);
    }
    net.wellKnown['example.com'] = delegate('m.example.com:443', { cacheControl: 'max-age=0' });
    await resolver.targets('example.com');
    net.wellKnown['example.com'] = 'network-error';
    clock.advance(5 * MIN);
    const before = fetches(net);
    await resolver.targets('example.com');
    clock.advance(5 * MIN);
    await resolver.targets('example.com');
    assert.equal(fetches(net), before + 2, 'after a success the next failure is kept 5 minutes again');
  });

  it('holds at most maxCacheEntries answers, dropping the oldest', async () => {
    const { net, resolver } = setup(false, 2);
    for (const name of ['a.example', 'b.example', 'c.example']) net.wellKnown[name] = delegate(`m.${name}:443`);
    for (const name of ['a.example', 'b.example', 'c.example', 'c.example', 'b.example', 'a.example']) await resolver.targets(name);
    assert.deepEqual(
      net.queries.map((q) => q.split('/')[2]),
      ['a.example', 'b.example', 'c.example', 'a.example'],
    );
  });
});

describe('ServerResolver: the deny-list applies to resolved addresses', () => {
  it('drops denied addresses of a name, and refuses a name whose every address is denied', async () => {
    const { net, resolver } = setup();
    net.hosts['mixed.example'] = ['10.0.0.1', '93.184.216.34', '::ffff:127.0.0.1', '2606:2800:220:1::1'];
    net.hosts['rebound.example'] = ['127.0.0.1', '169.254.169.254'];
    const at = (host: string) => target(host, 8448, host, host);
    assert.deepEqual(await resolver.addresses(at('mixed.example')), ['93.184.216.34', '2606:2800:220:1::1']);
    await assert.rejects(resolver.addresses(at('rebound.example')), /every address is refused/);
    await assert.rejects(resolver.addresses(at('nowhere.example')), /no address/);
    await assert.rejects(resolver.addresses(at('192.168.1.1')), /every address is refused/);
    assert.deepEqual(await resolver.addresses(at('8.8.8.8')), ['8.8.8.8']);
    assert.deepEqual(net.queries, ['A mixed.example', 'A rebound.example', 'A nowhere.example']);
  });

  it('allowPrivate lets private addresses through but never the unspecified address', async () => {
    const { net, resolver } = setup(true);
    net.hosts['lan.example'] = ['192.168.1.5', '0.0.0.0', '::1'];
    assert.deepEqual(await resolver.addresses(target('lan.example', 8448, 'lan.example', 'lan.example')), ['192.168.1.5', '::1']);
    await assert.rejects(resolver.addresses(target('::', 8448, '[::]', '::')), FederationResolutionError);
  });
});
