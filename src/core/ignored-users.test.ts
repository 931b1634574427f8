import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UserId } from './ids.js';
import { ignoredUserListProblem, ignoredUsersIn, isFromIgnoredUser } from './ignored-users.js';

const owner = '@owner:hs' as UserId;

test('ignoredUserListProblem accepts a map of user IDs to objects, the empty map included', () => {
  assert.equal(ignoredUserListProblem({ ignored_users: {} }, owner), undefined);
  assert.equal(ignoredUserListProblem({ ignored_users: { '@bob:hs': {}, '@c:other.example': { future: 1 } } }, owner), undefined);
});

test('ignoredUserListProblem names what is wrong', () => {
  assert.match(ignoredUserListProblem({}, owner)!, /must be an object/);
  assert.match(ignoredUserListProblem({ ignored_users: ['@bob:hs'] }, owner)!, /must be an object/);
  assert.match(ignoredUserListProblem({ ignored_users: { bob: {} } }, owner)!, /user IDs/);
  assert.match(ignoredUserListProblem({ ignored_users: { '@bob:hs': [] } }, owner)!, /values must be objects/);
  assert.match(ignoredUserListProblem({ ignored_users: { [owner]: {} } }, owner)!, /yourself/);
});

test('ignoredUsersIn reads the keys, and nothing from absent or malformed content', () => {
  assert.deepEqual([...ignoredUsersIn({ ignored_users: { '@a:hs': {}, '@b:hs': {} } })], ['@a:hs', '@b:hs']);
  assert.equal(ignoredUsersIn(undefined).size, 0);
  assert.equal(ignoredUsersIn({ ignored_users: 'x' }).size, 0);
});

test('isFromIgnoredUser withholds ignored senders\' non-state events only', () => {
  const ignored = new Set(['@bob:hs']);
  assert.equal(isFromIgnoredUser({ sender: '@bob:hs' }, ignored), true);
  assert.equal(isFromIgnoredUser({ sender: '@bob:hs', state_key: '' }, ignored), false);
  assert.equal(isFromIgnoredUser({ sender: '@carol:hs' }, ignored), false);
});
