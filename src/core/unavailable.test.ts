import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConnectionError } from './unavailable.js';

describe('isConnectionError', () => {
  it('recognises driver connection errors and wrapped causes; not query errors', () => {
    const coded = (code: string) => Object.assign(new Error('x'), { code });
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '08006', 'SQLITE_BUSY']) assert.equal(isConnectionError(coded(code)), true, code);
    assert.equal(isConnectionError(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isConnectionError(new Error('timeout exceeded when trying to connect')), true);
    assert.equal(isConnectionError(new Error('Client has encountered a connection error and is not queryable')), true);
    assert.equal(isConnectionError(new Error('wrapped', { cause: coded('57P01') })), true);
    for (const err of [coded('23505'), coded('42P01'), new Error('boom'), null, undefined, 'ECONNREFUSED', 42]) assert.equal(isConnectionError(err), false, String(err));
  });
});
