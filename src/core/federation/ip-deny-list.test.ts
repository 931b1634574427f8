import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIp } from './ip-address.js';
import { isAddressAllowed } from './ip-deny-list.js';

describe('IP literal parsing', () => {
  const cases: [string, number[] | undefined][] = [
    ['1.2.3.4', [1, 2, 3, 4]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['256.1.1.1', undefined],
    ['1.2.3', undefined],
    ['01.2.3.4', undefined],
    ['1.2.3.4.', undefined],
    ['::', new Array(16).fill(0)],
    ['::1', [...new Array(15).fill(0), 1]],
    ['fe80::1:2', [0xfe, 0x80, ...new Array(10).fill(0), 0, 1, 0, 2]],
    ['::ffff:10.0.0.1', [...new Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1]],
    ['1:2:3:4:5:6:7:8', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]],
    ['1:2:3:4:5:6:7::', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1:2:3:4:5:6:7:8::', undefined],
    ['1::2::3', undefined],
    ['12345::', undefined],
    ['fe80::1%eth0', undefined],
    ['::10.0.0.1:1', undefined],
    ['example.com', undefined],
  ];
  for (const [text, bytes] of cases) {
    it(`${text} -> ${bytes === undefined ? 'not an address' : bytes.join('.')}`, () => {
      const ip = parseIp(text);
      assert.deepEqual(ip === undefined ? undefined : [...ip.bytes], bytes);
    });
  }
});

describe('outbound IP deny-list', () => {
  // One address inside each default range, and its IPv6 forms for the IPv4 ones.
  const DENIED = [
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.255',
    '192.0.0.8', '169.254.169.254', '192.88.99.1', '198.18.0.1', '198.19.255.255', '192.0.2.1', '198.51.100.7',
    '203.0.113.9', '224.0.0.1', '239.255.255.255', '255.255.255.255', '0.0.0.0', '0.1.2.3',
    '::1', '::', 'fe80::1', 'febf::1', 'fc00::1', 'fd12:3456::1', '2001:db8::1', 'ff02::1', 'fec0::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::127.0.0.1',
    '2002:7f00:1::', '2002:c0a8:101::1',
  ];
  const ALLOWED = [
    '1.1.1.1', '8.8.8.8', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '192.0.1.1',
    '198.17.255.255', '198.20.0.0', '223.255.255.255', '169.253.0.1',
    '2606:4700:4700::1111', '2001:db9::1', 'fe7f::1', 'fbff::1', '::ffff:8.8.8.8', '2002:808:808::1',
  ];

  for (const address of DENIED) {
    it(`refuses ${address}`, () => assert.equal(isAddressAllowed(address, false), false));
  }
  for (const address of ALLOWED) {
    it(`allows ${address}`, () => assert.equal(isAddressAllowed(address, false), true));
  }

  it('allowPrivate lifts the ranges but never the unspecified address', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '::1', 'fd00::1', '::ffff:192.168.0.1']) {
      assert.equal(isAddressAllowed(address, true), true, address);
    }
    for (const address of ['0.0.0.0', '::', '::ffff:0.0.0.0']) assert.equal(isAddressAllowed(address, true), false, address);
  });

  it('refuses what is not an address: a name is checked only once resolved', () => {
    for (const text of ['localhost', 'example.com', '[::1]', '127.1', '']) {
      assert.equal(isAddressAllowed(text, false), false, text);
      assert.equal(isAddressAllowed(text, true), false, text);
    }
  });
});
