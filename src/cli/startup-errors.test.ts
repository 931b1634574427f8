import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildConfig } from '../config/load.js';
import { MigrationError } from '../app.js';
import { describeFsError, explainStartupError, redactDatabaseUrl } from './startup-errors.js';

// The CLI tests (test/e2e/cli-startup.test.ts) meet most of these for real; these are the ones a
// test machine cannot produce (a read-only file system, a privileged port when run as root, a full disk).
const errno = (code: string, props: Record<string, unknown> = {}) => Object.assign(new Error(`${code} error`), { code, ...props });

describe('start-up error messages', () => {
  const sqlite = buildConfig({ data_dir: '/srv/hearth' });
  const postgres = buildConfig({ database: 'postgres://hearth:pw@db.example:5432/hearth' });

  it('file system errors say what is wrong with the path', () => {
    assert.equal(describeFsError('EROFS'), 'the file system is read-only');
    assert.match(describeFsError('EACCES'), /^permission denied for this user/);
    assert.equal(describeFsError('ENOSPC'), 'the disk is full');
    assert.equal(describeFsError('ENOTDIR'), 'a part of the path is a file, not a directory');
  });

  it('listening: a privileged port, a port in use', () => {
    assert.match(explainStartupError(errno('EACCES', { syscall: 'listen', address: '0.0.0.0', port: 443 }), sqlite, 'listen')!,
      /^cannot listen on 0\.0\.0\.0:443: permission denied \(ports below 1024 need privileges\); choose a --port of 1024 or more/);
    assert.match(explainStartupError(errno('EADDRINUSE', { syscall: 'listen', address: '127.0.0.1', port: 8008 }), sqlite, 'listen')!,
      /^cannot listen on 127\.0\.0\.1:8008: the port is already in use/);
    assert.equal(explainStartupError(new TypeError('a bug'), sqlite, 'listen'), undefined);
  });

  it('a failed migration on PostgreSQL: connection problems and SQL errors, password never shown', () => {
    const refused = new MigrationError(undefined, errno('ECONNREFUSED'));
    assert.equal(explainStartupError(refused, postgres, 'open'), 'cannot connect to the database postgres://hearth:***@db.example:5432/hearth: ECONNREFUSED error');
    const badLogin = new MigrationError(undefined, Object.assign(new Error('password authentication failed for user "hearth"'), { code: '28P01', severity: 'FATAL' }));
    assert.equal(explainStartupError(badLogin, postgres, 'open'), 'cannot connect to the database postgres://hearth:***@db.example:5432/hearth: password authentication failed for user "hearth"');
    const sqlError = new MigrationError('0003_rooms', Object.assign(new Error('permission denied for schema public'), { code: '42501', severity: 'ERROR' }));
    assert.equal(explainStartupError(sqlError, postgres, 'open'), 'database migration 0003_rooms failed on postgres://hearth:***@db.example:5432/hearth: permission denied for schema public');
    // Every address of a host refused: an AggregateError without a message of its own.
    const both = new MigrationError(undefined, Object.assign(new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')]), { code: 'ECONNREFUSED' }));
    assert.match(explainStartupError(both, postgres, 'open')!, /: connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127\.0\.0\.1:5432$/);
  });

  it('an error that is not the operator\'s to fix is left to its stack trace', () => {
    assert.equal(explainStartupError(new Error('signing key file /srv/hearth/signing.key holds no key'), postgres, 'open'), undefined);
  });

  it('database URLs lose their password, in the authority or the query', () => {
    assert.equal(redactDatabaseUrl('postgres://u:p%40ss@h/db'), 'postgres://u:***@h/db');
    assert.equal(redactDatabaseUrl('postgres://u@h/db?password=secret&sslmode=require'), 'postgres://u@h/db?password=***&sslmode=require');
    assert.equal(redactDatabaseUrl('postgres://u@h/db'), 'postgres://u@h/db');
  });
});
