import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEventFields, parseFieldPath } from './event-fields.js';

const event = {
  type: 'm.room.message',
  sender: '@alice:example.com',
  room_id: '!a:example.com',
  event_id: '$e',
  origin_server_ts: 1,
  content: { body: 'hi', msgtype: 'm.text', 'm.relates_to': { rel_type: 'm.thread' }, 'm\\foo': 1, 'a.b': { c: 2 } },
  unsigned: { age: 5 },
};

test('parseFieldPath splits on dots and undoes \\. and \\\\ only', () => {
  assert.deepEqual(parseFieldPath('type'), ['type']);
  assert.deepEqual(parseFieldPath('content.body'), ['content', 'body']);
  assert.deepEqual(parseFieldPath('content.m\\.relates_to'), ['content', 'm.relates_to']);
  assert.deepEqual(parseFieldPath('content.m\\\\foo'), ['content', 'm\\foo']);
  assert.deepEqual(parseFieldPath('content.\\x'), ['content', '\\x'], 'other escapes stay as they are');
  assert.deepEqual(parseFieldPath('a\\'), ['a\\'], 'a trailing backslash is literal');
  assert.deepEqual(parseFieldPath('a..b'), ['a', '', 'b']);
  assert.deepEqual(parseFieldPath(''), ['']);
});

test('applyEventFields: absent fields keeps the event as it is', () => {
  assert.equal(applyEventFields(event, undefined), event);
});

test('applyEventFields: top-level and nested fields, as in the filter.yaml example', () => {
  assert.deepEqual(applyEventFields(event, ['type', 'content', 'sender']), {
    type: event.type,
    content: event.content,
    sender: event.sender,
  });
  assert.deepEqual(applyEventFields(event, ['content.body', 'unsigned.age']), { content: { body: 'hi' }, unsigned: { age: 5 } });
  assert.deepEqual(applyEventFields(event, []), {});
});

test('applyEventFields: escaped dots and backslashes name single properties', () => {
  assert.deepEqual(applyEventFields(event, ['content.m\\.relates_to.rel_type', 'content.m\\\\foo']), {
    content: { 'm.relates_to': { rel_type: 'm.thread' }, 'm\\foo': 1 },
  });
  assert.deepEqual(applyEventFields(event, ['content.a\\.b.c']), { content: { 'a.b': { c: 2 } } });
  assert.deepEqual(applyEventFields(event, ['content.a.b']), {}, 'an unescaped dot descends');
});

test('applyEventFields: paths that name nothing or cross a non-object are skipped', () => {
  assert.deepEqual(applyEventFields(event, ['content.nope', 'nope', 'type.length', 'content.body.x']), {});
  assert.deepEqual(applyEventFields(event, ['toString', 'constructor.name']), {}, 'inherited properties are not fields');
});

test('applyEventFields: overlapping paths in either order give the larger selection', () => {
  const expected = { content: event.content };
  assert.deepEqual(applyEventFields(event, ['content', 'content.body']), expected);
  assert.deepEqual(applyEventFields(event, ['content.body', 'content']), expected);
});

test('applyEventFields never mutates the event', () => {
  const copy = structuredClone(event);
  applyEventFields(event, ['content', 'content.body', 'content.m\\.relates_to.rel_type', 'unsigned.age']);
  const result = applyEventFields(event, ['content.body']);
  (result['content'] as Record<string, unknown>)['body'] = 'changed';
  assert.deepEqual(event, copy);
});

test('applyEventFields copies a __proto__ key as a field, not as a prototype', () => {
  const parsed: unknown = JSON.parse('{"type":"x","content":{"__proto__":{"polluted":true}}}');
  const result = applyEventFields(parsed as object, ['content.__proto__']);
  const content = result['content'] as Record<string, unknown>;
  assert.ok(Object.hasOwn(content, '__proto__'));
  assert.equal(Object.getPrototypeOf(content), Object.prototype);
  assert.equal((content as { polluted?: unknown }).polluted, undefined);
});
