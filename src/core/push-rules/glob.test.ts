import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatches } from './glob.js';
import { parsePropertyPath, propertyAt } from '../property-path.js';

test('globMatches: whole value, case-insensitive (the spec example lunc?*)', () => {
  assert.equal(globMatches('lunc?*', 'Lunch plans'), true);
  assert.equal(globMatches('lunc?*', 'LUNCH'), true);
  assert.equal(globMatches('lunc?*', ' lunch'), false);
  assert.equal(globMatches('lunc?*', 'lunc'), false);
  assert.equal(globMatches('m.room.message', 'm.room.message'), true);
  assert.equal(globMatches('m.room.message', 'm.room.message.extra'), false);
  assert.equal(globMatches('m.room.*', 'm.room.member'), true);
  assert.equal(globMatches('', ''), true);
  assert.equal(globMatches('', 'x'), false);
  assert.equal(globMatches('*', ''), true);
});

test('globMatches: ? is one character, even outside the BMP', () => {
  assert.equal(globMatches('a?b', 'a😀b'), true);
  assert.equal(globMatches('a??b', 'a😀b'), false);
});

test('globMatches: word boundaries for content.body (the spec example ex*ple)', () => {
  const word = { wordBoundary: true };
  assert.equal(globMatches('ex*ple', 'An example event.', word), true);
  assert.equal(globMatches('ex*ple', 'exple', word), true);
  assert.equal(globMatches('ex*ple', 'An exciting triple-whammy', word), true);
  assert.equal(globMatches('ex*ple', 'An examples event', word), false);
  assert.equal(globMatches('cake', 'I like CAKE!', word), true);
  assert.equal(globMatches('cake', 'cupcakes', word), false);
  assert.equal(globMatches('alice', 'malice', word), false);
  assert.equal(globMatches('alice', 'hi alice_', word), false);
  assert.equal(globMatches('@room', 'hey@room', word), true);
  assert.equal(globMatches('café', 'un café!', word), true);
});

test('globMatches: literal mode treats * and ? as characters', () => {
  assert.equal(globMatches('Star*', 'hi Star* there', { wordBoundary: true, literal: true }), true);
  assert.equal(globMatches('Star*', 'hi Starfish', { wordBoundary: true, literal: true }), false);
});

test('globMatches: pathological patterns stay fast (no regular expressions)', () => {
  const body = 'a'.repeat(20_000);
  const started = process.hrtime.bigint();
  assert.equal(globMatches('*a*a*a*a*a*a*a*a*b', body, { wordBoundary: true }), false);
  assert.equal(globMatches('*a*a*a*a*a*a*a*a*b', body), false);
  assert.ok(process.hrtime.bigint() - started < 2_000_000_000n);
});

test('property paths: escaped dots and backslashes, own properties only', () => {
  assert.deepEqual(parsePropertyPath('content.m\\.relates_to.rel_type'), ['content', 'm.relates_to', 'rel_type']);
  assert.deepEqual(parsePropertyPath('content.m\\\\foo'), ['content', 'm\\foo']);
  assert.deepEqual(parsePropertyPath('content.a\\xb'), ['content', 'a\\xb']);
  const event = { content: { 'm.relates_to': { rel_type: 'm.replace' }, list: [1] } };
  assert.equal(propertyAt(event, 'content.m\\.relates_to.rel_type'), 'm.replace');
  assert.equal(propertyAt(event, 'content.m.relates_to.rel_type'), undefined);
  assert.equal(propertyAt(event, 'content.list.0'), undefined);
  assert.equal(propertyAt(event, 'content.__proto__'), undefined);
  assert.equal(propertyAt(event, 'content.toString'), undefined);
});
