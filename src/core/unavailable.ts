/**
 * Whether an error means the database is unreachable or went away (as opposed to a bad query):
 * such a request may be retried, so clients get 503 rather than 500. Recognises the raw driver
 * errors (node-postgres, better-sqlite3) anywhere in the `cause` chain. Pure: it looks only at
 * `code` and `message`.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE',
  // PostgreSQL: admin/crash shutdown, cannot connect now, connection exceptions.
  '57P01', '57P02', '57P03', '08000', '08003', '08006',
  'SQLITE_BUSY',
]);

// node-postgres and its pool raise these without a code when a connection drops or cannot be made.
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
];

export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.some((m) => message.includes(m))) return true;
  }
  return false;
}
