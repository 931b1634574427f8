import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatXMatrixHeader, parseXMatrixHeader } from './x-matrix-header.js';

// Header values and what they parse to (origin, key, sig, destination).
// The first three are Synapse v1.67.0's tests/federation/transport/server/test__base.py
// (BaseFederationAuthorizationTests, Apache-2.0); the rest follow the spec's grammar.
const PARSED: [string, string, string, string, string | undefined][] = [
  ['X-Matrix origin=foo,key="ed25519:1",sig="sig",destination="bar"', 'foo', 'ed25519:1', 'sig', 'bar'],
  ['X-Matrix  ORIGIN=foo,KEY="ed25\\519:1",SIG="sig",destination="bar"', 'foo', 'ed25519:1', 'sig', 'bar'],
  ['X-Matrix origin=foo,key="ed25519:1",sig="sig",destination="bar",extra_field=ignored', 'foo', 'ed25519:1', 'sig', 'bar'],
  // The spec's example.
  [
    'X-Matrix origin="origin.hs.example.com",destination="destination.hs.example.com",key="ed25519:key1",sig="ABCDEF..."',
    'origin.hs.example.com', 'ed25519:key1', 'ABCDEF...', 'destination.hs.example.com',
  ],
  ['x-matrix origin=foo,key=ed25519:1,sig=abc', 'foo', 'ed25519:1', 'abc', undefined],
  ['X-MATRIX sig="a/b+c" , \tkey = "ed25519:1",origin="foo:8448"', 'foo:8448', 'ed25519:1', 'a/b+c', undefined],
  ['X-Matrix origin="f\\"o\\\\o",key="k",sig="",unknown="x,y=z"', 'f"o\\o', 'k', '', undefined],
];

const REFUSED = [
  '',
  'Bearer abc',
  'X-Matrix',
  'X-Matrixorigin=foo,key=k,sig=s',
  'X-Matrix origin=foo,key=k',
  'X-Matrix origin=foo,sig=s',
  'X-Matrix key=k,sig=s',
  'X-Matrix origin=foo,key=k,sig=s,',
  'X-Matrix origin=foo,,key=k,sig=s',
  'X-Matrix origin=foo key=k,sig=s',
  'X-Matrix origin="foo,key=k,sig=s',
  'X-Matrix origin="foo\\',
  'X-Matrix origin=foo,key=k,sig=s,origin=bar',
  'X-Matrix origin=fo"o,key=k,sig=s',
  'X-Matrix origin="fo\no",key=k,sig=s',
  'X-Matrix =foo,key=k,sig=s',
];

describe('X-Matrix header parsing', () => {
  for (const [header, origin, key, sig, destination] of PARSED) {
    it(`parses ${header}`, () => {
      const expected = destination === undefined ? { origin, key, sig } : { origin, destination, key, sig };
      assert.deepEqual(parseXMatrixHeader(header), expected);
    });
  }
  for (const header of REFUSED) {
    it(`refuses ${JSON.stringify(header)}`, () => assert.equal(parseXMatrixHeader(header), undefined));
  }

  it('formats as the spec asks senders to, and reads back what it wrote', () => {
    const credentials = { origin: 'a.example', destination: 'b.example:8448', key: 'ed25519:a_1', sig: 'x/y+z' };
    const header = formatXMatrixHeader(credentials);
    assert.equal(header, 'X-Matrix origin="a.example",destination="b.example:8448",key="ed25519:a_1",sig="x/y+z"');
    assert.deepEqual(parseXMatrixHeader(header), credentials);
    const odd = { origin: 'a"b\\c', key: 'k', sig: 's' };
    assert.equal(formatXMatrixHeader(odd), 'X-Matrix origin="a\\"b\\\\c",key="k",sig="s"');
    assert.deepEqual(parseXMatrixHeader(formatXMatrixHeader(odd)), odd);
  });
});
