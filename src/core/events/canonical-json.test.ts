import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertCanonicalJsonValue, canonicalJson, CanonicalJsonError, compareCodePoints } from './canonical-json.js';

describe('canonicalJson: the appendix examples', () => {
  // Inputs are the spec's JSON texts, parsed, so that escapes such as \u65E5 and the
  // numbers -0 and 1e10 reach the encoder exactly as a JSON parser delivers them.
  const examples: Array<[string, string]> = [
    ['{}', '{}'],
    ['{\n    "one": 1,\n    "two": "Two"\n}', '{"one":1,"two":"Two"}'],
    ['{\n    "b": "2",\n    "a": "1"\n}', '{"a":"1","b":"2"}'],
    ['{"b":"2","a":"1"}', '{"a":"1","b":"2"}'],
    [
      `{
    "auth": {
        "success": true,
        "mxid": "@john.doe:example.com",
        "profile": {
            "display_name": "John Doe",
            "three_pids": [
                {
                    "medium": "email",
                    "address": "john.doe@example.org"
                },
                {
                    "medium": "msisdn",
                    "address": "123456789"
                }
            ]
        }
    }
}`,
      '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
    ],
    ['{\n    "a": "日本語"\n}', '{"a":"日本語"}'],
    ['{\n    "本": 2,\n    "日": 1\n}', '{"日":1,"本":2}'],
    ['{\n    "a": "\\u65E5"\n}', '{"a":"日"}'],
    ['{\n    "a": null\n}', '{"a":null}'],
    ['{\n    "a": -0,\n    "b": 1e10\n}', '{"a":0,"b":10000000000}'],
  ];
  for (const [input, expected] of examples) {
    it(`encodes ${JSON.stringify(JSON.parse(input))}`, () => {
      assert.equal(canonicalJson(JSON.parse(input)), expected);
    });
  }
});

describe('canonicalJson: ordering and strings', () => {
  it('sorts keys by code point, not by UTF-16 code unit', () => {
    // U+1F600 is a surrogate pair (D83D DE00) and U+FF21 a single unit FF21: by code unit
    // the emoji would sort first, by code point it sorts last.
    assert.equal(canonicalJson({ '\u{1F600}': 1, '\uFF21': 2, a: 3, B: 4 }), '{"B":4,"a":3,"Ａ":2,"😀":1}');
    assert.ok(compareCodePoints('\uFF21', '\u{1F600}') < 0);
    assert.ok(compareCodePoints('a', 'ab') < 0);
    assert.equal(compareCodePoints('x', 'x'), 0);
  });

  it('sorts integer-like keys as strings', () => {
    assert.equal(canonicalJson({ 10: 'a', 9: 'b', 1: 'c' }), '{"1":"c","10":"a","9":"b"}');
  });

  it('escapes only quote, backslash and control characters, in the grammar forms', () => {
    const s = '"\\/\b\t\n\f\r\u0000\u0007\u000b\u000e\u001f\u007f\u2028é';
    assert.equal(canonicalJson(s), '"\\"\\\\/\\b\\t\\n\\f\\r\\u0000\\u0007\\u000b\\u000e\\u001f\u007f\u2028é"');
  });

  it('keeps nested arrays in order and sorts objects inside them', () => {
    assert.equal(canonicalJson([3, { b: [], a: {} }, 'x', true, false, null]), '[3,{"a":{},"b":[]},"x",true,false,null]');
  });

  it('omits undefined object properties, as optional fields', () => {
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
  });

  it('accepts objects without a prototype', () => {
    const obj = Object.create(null) as Record<string, number>;
    obj.z = 1;
    assert.equal(canonicalJson(obj), '{"z":1}');
  });
});

describe('canonicalJson: rejections', () => {
  const bad: Array<[string, unknown, string]> = [
    ['a float', { a: 1.5 }, 'a'],
    ['2**53', { a: 2 ** 53 }, 'a'],
    ['-(2**53)', [-(2 ** 53)], '[0]'],
    ['NaN', NaN, ''],
    ['Infinity', { x: { y: [Infinity] } }, 'x.y[0]'],
    ['undefined in an array', [undefined], '[0]'],
    ['a bigint', { n: 1n }, 'n'],
    ['a function', { f: () => 1 }, 'f'],
    ['a symbol', Symbol('s'), ''],
    ['a Date', { d: new Date(0) }, 'd'],
    ['a Buffer', { b: Buffer.from('x') }, 'b'],
    ['a Map', new Map(), ''],
    ['a lone surrogate in a value', { s: '\uD800' }, 's'],
    ['a lone surrogate in a key', { '\uDC00': 1 }, ''],
  ];
  for (const [name, value, path] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => canonicalJson(value),
        (err: unknown) => err instanceof CanonicalJsonError && err.path === path,
      );
      assert.equal(typeof assertCanonicalJsonValue(value), 'string');
    });
  }

  it('accepts the range limits themselves', () => {
    assert.equal(canonicalJson([2 ** 53 - 1, -(2 ** 53) + 1]), '[9007199254740991,-9007199254740991]');
  });

  it('rejects cycles', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    assert.throws(() => canonicalJson(a), CanonicalJsonError);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { k: 1 };
    assert.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"k":1},"b":{"k":1}}');
  });

  it('assertCanonicalJsonValue gives a reason naming the path, or undefined', () => {
    assert.equal(assertCanonicalJsonValue({ body: 'hi', n: [1, 2] }), undefined);
    assert.equal(assertCanonicalJsonValue({ info: { size: 0.5 } }), 'info.size: 0.5 is not an integer');
  });
});
