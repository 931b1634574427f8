import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkThreadId, receiptContent, type ReceiptEntry } from './receipts.js';

describe('receiptContent', () => {
  const r = (o: Partial<ReceiptEntry>): ReceiptEntry => ({ userId: '@a:hs', receiptType: 'm.read', threadId: null, eventId: '$e1', ts: 5, ...o });

  it('groups by event, then type, then user; thread_id only when threaded', () => {
    const content = receiptContent([
      r({}),
      r({ userId: '@b:hs', ts: 6 }),
      r({ userId: '@b:hs', eventId: '$e2', threadId: 'main', ts: 7 }),
    ], '@a:hs');
    assert.deepEqual(content, {
      $e1: { 'm.read': { '@a:hs': { ts: 5 }, '@b:hs': { ts: 6 } } },
      $e2: { 'm.read': { '@b:hs': { ts: 7, thread_id: 'main' } } },
    });
  });

  it('shows private receipts to their owner only; nothing left is undefined', () => {
    const priv = r({ receiptType: 'm.read.private' });
    assert.deepEqual(receiptContent([priv], '@a:hs'), { $e1: { 'm.read.private': { '@a:hs': { ts: 5 } } } });
    assert.equal(receiptContent([priv], '@b:hs'), undefined);
    assert.equal(receiptContent([], '@a:hs'), undefined);
  });
});

describe('checkThreadId', () => {
  it('accepts main and event IDs, refuses the rest', () => {
    assert.equal(checkThreadId('main'), undefined);
    assert.equal(checkThreadId('$abc'), undefined);
    for (const bad of ['', 'thread', 5, null, {}]) assert.ok(checkThreadId(bad), JSON.stringify(bad));
  });
});
