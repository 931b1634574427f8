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

test('globMatches: patterns longer than one 32-bit word (stars and ? across word edges)', () => {
  const word = { wordBoundary: true };
  const long = `${'x'.repeat(31)}*${'y'.repeat(31)}?z`;
  assert.equal(globMatches(long, `${'X'.repeat(31)}anything${'y'.repeat(31)}!z`), true);
  assert.equal(globMatches(long, `${'x'.repeat(31)}${'y'.repeat(31)}z`), false);
  assert.equal(globMatches(long, `say ${'x'.repeat(31)}-${'y'.repeat(31)}_z now`, word), true);
  assert.equal(globMatches(long, `say ${'x'.repeat(31)}-${'y'.repeat(31)}_zed`, word), false);
  assert.equal(globMatches('a***b', 'ab'), true);
  assert.equal(globMatches('**', 'anything'), true);
});

/** The word operations one match spends, read off an unbounded budget. */
function workOf(pattern: string, value: string, wordBoundary: boolean): number {
  const budget = { remaining: Number.MAX_SAFE_INTEGER };
  globMatches(pattern, value, { wordBoundary, budget });
  return Number.MAX_SAFE_INTEGER - budget.remaining;
}

test('globMatches: work is linear in the value, at most one word operation per 32 pattern positions per character', () => {
  // A 512-position pattern of alternating stars and letters keeps every state live on a run of
  // 'a': the old matcher walked all 512 positions per character (60,000 × 512 steps).
  const pattern = `${'*a'.repeat(255)}*b`;
  const perChar = Math.ceil((pattern.length + 1) / 32);
  for (const wordBoundary of [false, true]) {
    const short = workOf(pattern, 'a'.repeat(30_000), wordBoundary);
    const long = workOf(pattern, 'a'.repeat(60_000), wordBoundary);
    assert.ok(short > 0 && short <= 30_000 * perChar, `work ${short} for 30,000 characters`);
    assert.equal(long, 2 * short, 'twice the text, twice the work');
  }
  assert.equal(workOf(pattern, 'a'.repeat(60_000), false), workOf(`*${'?'.repeat(510)}*`, 'a'.repeat(60_000), false));
});

test('globMatches: a match that would overspend its budget is abandoned as no match', () => {
  const budget = { remaining: 1_000 };
  assert.equal(globMatches('*a*b*', `${'a'.repeat(60_000)}b`, { budget }), false);
  assert.ok(budget.remaining < 0 && budget.remaining > -10, `stopped at once (${budget.remaining})`);
  assert.equal(globMatches('*a*b*', `${'a'.repeat(60_000)}b`, { budget: { remaining: 60_001 } }), true);
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
