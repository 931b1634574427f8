import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { afterWellKnown, firstStep, parseWellKnownBody, targetsFromSrv, type ResolutionStep } from './resolution.js';
import { formatAuthority, parseServerAddress, type ServerAddress } from './server-name.js';

const parse = (name: string) => parseServerAddress(name) as ServerAddress;

describe('server names as addresses', () => {
  const cases: [string, ServerAddress | undefined][] = [
    ['example.com', { host: 'example.com', ipLiteral: false }],
    ['Example.COM:8000', { host: 'example.com', ipLiteral: false, port: 8000 }],
    ['1.2.3.4', { host: '1.2.3.4', ipLiteral: true }],
    ['1.2.3.4:1234', { host: '1.2.3.4', ipLiteral: true, port: 1234 }],
    ['[1234:5678::abcd]', { host: '1234:5678::abcd', ipLiteral: true }],
    ['[::1]:8448', { host: '::1', ipLiteral: true, port: 8448 }],
    ['localhost', { host: 'localhost', ipLiteral: false }],
    ['example.com:0', undefined],
    ['example.com:65536', undefined],
    ['[::1]:65536', undefined],
    ['[1:2:3]', undefined],
    ['::1', undefined],
    ['exa mple.com', undefined],
    ['example.com:', undefined],
    ['', undefined],
  ];
  for (const [name, expected] of cases) {
    it(`${JSON.stringify(name)}`, () => assert.deepEqual(parseServerAddress(name), expected));
  }

  it('formats an authority with IPv6 in brackets', () => {
    assert.equal(formatAuthority('::1', 8448), '[::1]:8448');
    assert.equal(formatAuthority('1.2.3.4'), '1.2.3.4');
    assert.equal(formatAuthority('example.com', 443), 'example.com:443');
  });
});

const connect = (host: string, port: number, hostHeader: string, tlsServerName: string): ResolutionStep => ({
  kind: 'connect',
  targets: [{ host, port, hostHeader, tlsServerName }],
});

describe('resolving server names: the steps of the spec', () => {
  it('1: an IP literal connects to it, port 8448 by default, Host the server name, certificate for the IP', () => {
    assert.deepEqual(firstStep(parse('1.2.3.4')), connect('1.2.3.4', 8448, '1.2.3.4', '1.2.3.4'));
    assert.deepEqual(firstStep(parse('1.2.3.4:99')), connect('1.2.3.4', 99, '1.2.3.4:99', '1.2.3.4'));
    assert.deepEqual(firstStep(parse('[::1]')), connect('::1', 8448, '[::1]', '::1'));
    assert.deepEqual(firstStep(parse('[2001:db8::2]:8000')), connect('2001:db8::2', 8000, '[2001:db8::2]:8000', '2001:db8::2'));
  });

  it('2: a hostname with a port connects there, Host with the port, certificate for the hostname', () => {
    assert.deepEqual(firstStep(parse('example.com:8000')), connect('example.com', 8000, 'example.com:8000', 'example.com'));
  });

  it('3: a hostname without a port asks for its well-known first', () => {
    assert.deepEqual(firstStep(parse('example.com')), { kind: 'well-known', hostname: 'example.com' });
  });

  const name = parse('example.com');

  it('3.1: delegation to an IP literal: Host the IP (with the port if given), certificate for the IP', () => {
    assert.deepEqual(afterWellKnown(name, parse('5.6.7.8')), connect('5.6.7.8', 8448, '5.6.7.8', '5.6.7.8'));
    assert.deepEqual(afterWellKnown(name, parse('[::2]:443')), connect('::2', 443, '[::2]:443', '::2'));
  });

  it('3.2: delegation to a hostname with a port: Host and certificate the delegated name', () => {
    assert.deepEqual(
      afterWellKnown(name, parse('matrix.example.net:443')),
      connect('matrix.example.net', 443, 'matrix.example.net:443', 'matrix.example.net'),
    );
  });

  it('3.3 to 3.5: delegation to a bare hostname: SRV _matrix-fed then _matrix of it, else 8448', () => {
    assert.deepEqual(afterWellKnown(name, parse('matrix.example.net')), {
      kind: 'srv',
      hostname: 'matrix.example.net',
      srvNames: ['_matrix-fed._tcp.matrix.example.net', '_matrix._tcp.matrix.example.net'],
      fallback: { host: 'matrix.example.net', port: 8448, hostHeader: 'matrix.example.net', tlsServerName: 'matrix.example.net' },
    });
  });

  it('4 to 6: no valid well-known: SRV of the server name itself, else its port 8448', () => {
    assert.deepEqual(afterWellKnown(name, undefined), {
      kind: 'srv',
      hostname: 'example.com',
      srvNames: ['_matrix-fed._tcp.example.com', '_matrix._tcp.example.com'],
      fallback: { host: 'example.com', port: 8448, hostHeader: 'example.com', tlsServerName: 'example.com' },
    });
  });

  it('SRV targets: by priority then weight, Host and certificate the name looked up, "." meaning none', () => {
    const records = [
      { name: 'b.example.net.', port: 8449, priority: 10, weight: 5 },
      { name: 'a.example.net', port: 8448, priority: 5, weight: 0 },
      { name: 'c.example.net', port: 8450, priority: 10, weight: 50 },
    ];
    const at = (host: string, port: number) => ({ host, port, hostHeader: 'example.com', tlsServerName: 'example.com' });
    assert.deepEqual(targetsFromSrv('example.com', records), [
      at('a.example.net', 8448),
      at('c.example.net', 8450),
      at('b.example.net', 8449),
    ]);
    assert.equal(targetsFromSrv('example.com', []), undefined);
    assert.equal(targetsFromSrv('example.com', [{ name: '.', port: 0, priority: 0, weight: 0 }]), undefined);
  });

  it('reads m.server from a well-known body, refusing anything else', () => {
    assert.deepEqual(parseWellKnownBody({ 'm.server': 'matrix.example.net:443' }), parse('matrix.example.net:443'));
    for (const body of [null, [], 'x', {}, { 'm.server': 5 }, { 'm.server': 'bad name' }, { 'm.server': 'a.example:99999' }]) {
      assert.equal(parseWellKnownBody(body), undefined, JSON.stringify(body));
    }
  });
});
