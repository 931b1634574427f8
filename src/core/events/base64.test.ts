import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from './base64.js';

describe('unpadded base64', () => {
  // The appendix's examples.
  const examples: Array<[string, string]> = [
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ];
  for (const [plain, encoded] of examples) {
    it(`UNPADDED_BASE64(${JSON.stringify(plain)}) = ${JSON.stringify(encoded)}`, () => {
      assert.equal(encodeBase64(Buffer.from(plain)), encoded);
      assert.equal(decodeBase64(encoded)?.toString(), plain);
    });
  }

  it('decodes padded input too', () => {
    assert.equal(decodeBase64('Zg==')?.toString(), 'f');
    assert.equal(decodeBase64('Zm8=')?.toString(), 'fo');
  });

  it('rejects what is not base64', () => {
    for (const bad of ['Zg=', 'Z', 'Zm9vY', '!!!!', 'Zm 9v', 'Zm9v-_', '====', 'Zg===']) {
      assert.equal(decodeBase64(bad), undefined, bad);
    }
  });

  it('encodes a Uint8Array view at an offset', () => {
    const backing = new Uint8Array([0, 0xfb, 0xff, 0xbf, 0]);
    assert.equal(encodeBase64(backing.subarray(1, 4)), '+/+/');
  });
});

describe('URL-safe unpadded base64', () => {
  it('uses - and _ and no padding', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x01]);
    assert.equal(encodeBase64(bytes), '+/+/AQ');
    assert.equal(encodeBase64Url(bytes), '-_-_AQ');
    assert.deepEqual(decodeBase64Url('-_-_AQ'), Buffer.from(bytes));
    assert.deepEqual(decodeBase64Url('-_-_AQ=='), Buffer.from(bytes));
  });

  it('does not mix alphabets', () => {
    assert.equal(decodeBase64Url('+/+/AQ'), undefined);
    assert.equal(decodeBase64('-_-_AQ'), undefined);
  });
});
