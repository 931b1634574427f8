import type { Config } from '../config/schema.js';
import { MigrationError, TlsSetupError } from '../app.js';

/**
 * Why Hearth cannot start, said so that the operator knows what to do: printed as one
 * `hearth: …` line (exit 1), without a stack trace.
 */
export class CommandProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandProblem';
  }
}

type Errno = Error & { code?: string; syscall?: string; address?: string; port?: number; hostname?: string; severity?: string };

/** What a file system error code means for a path Hearth must create or write. */
export function describeFsError(code: string | undefined): string {
  switch (code) {
    case 'ENOTDIR': return 'a part of the path is a file, not a directory';
    case 'EEXIST': return 'it exists and is not a directory';
    case 'EACCES':
    case 'EPERM': return `permission denied for this user${process.getuid ? ` (uid ${process.getuid()})` : ''}`;
    case 'EROFS': return 'the file system is read-only';
    case 'ENOSPC': return 'the disk is full';
    case 'ENOENT': return 'it cannot be created there';
    case 'ELOOP': return 'the path has a symbolic link loop';
    case 'ENAMETOOLONG': return 'the path is too long';
    default: return code ?? 'unknown error';
  }
}

/** A database URL fit for a log line: the password (in the URL or its query) replaced by ***. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    return url.replace(/:\/\/([^:/@]*):[^@/]*@/, '://$1:***@');
  }
}

/** An error and its causes, outermost first: a wrapped failure (a migration's) says what went wrong deeper down. */
function causeChain(err: Errno): Errno[] {
  const chain = [err];
  for (let e = err; chain.length < 10 && e.cause instanceof Error; e = e.cause as Errno) chain.push(e.cause as Errno);
  return chain;
}

/** An error's message; a failed connection to every address of a host (AggregateError) has none of its own. */
function messageOf(e: Errno): string {
  if (e.message) return e.message;
  if (e instanceof AggregateError) return e.errors.map((x: unknown) => (x instanceof Error ? x.message : String(x))).join('; ');
  return e.code ?? 'unknown error';
}

/** PostgreSQL's SQLSTATEs that mean "you did not get in": connection exceptions, bad login, no such database. */
const CONNECT_SQLSTATES = /^(08|28|3D|53300|57P0[1-3])/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * One line for an error that stopped start-up while opening the data directory, the signing key or
 * the database (`phase: 'open'`), or while starting to listen (`phase: 'listen'`); undefined when
 * the error is none of these (a bug: its stack trace is then the useful output).
 */
export function explainStartupError(err: unknown, config: Config, phase: 'open' | 'listen'): string | undefined {
  if (err instanceof CommandProblem || err instanceof TlsSetupError) return err.message;
  if (!(err instanceof Error)) return undefined;
  const e = err as Errno;
  if (phase === 'listen') return explainListenError(e, config);
  const chain = causeChain(e);
  const root = chain[chain.length - 1]!;
  // Below Hearth's own wrapper ("cannot migrate the database"), the driver's words, outermost first.
  const reason = [...new Set(chain.slice(chain.length > 1 ? 1 : 0).map(messageOf))].join(': ');
  const code = root.code ?? '';
  const where = config.database.kind === 'postgres' ? redactDatabaseUrl(config.database.url) : config.database.path;
  if (e instanceof MigrationError) {
    // A PostgreSQL driver error without a SQLSTATE (a timeout, a dropped connection) is a connection problem too.
    const connecting = config.database.kind === 'postgres' && (NETWORK_CODES.has(code) || CONNECT_SQLSTATES.test(code) || !root.severity);
    return connecting ? `cannot connect to the database ${where}: ${reason}` : `${e.message} on ${where}: ${reason}`;
  }
  if (code.startsWith('SQLITE_')) return `cannot open the SQLite database ${where}: ${reason}`;
  return undefined;
}

function explainListenError(e: Errno, config: Config): string | undefined {
  const where = e.address !== undefined && e.port !== undefined ? `${e.address}:${e.port}` : `${config.host}:${config.port}`;
  const portFlag = e.port !== undefined && e.port === config.federation.port && e.port !== config.port ? '--federation-port' : '--port';
  switch (e.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is already in use (another Hearth?); stop that process or choose another ${portFlag}`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: no network interface of this machine has that address; use --host 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose a --port of 1024 or more, behind a reverse proxy`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${e.hostname ?? config.host}: the host name does not resolve; give --host an IP address such as 127.0.0.1 or 0.0.0.0`;
    default:
      return undefined;
  }
}

/** Runs a start-up step; an error it can explain becomes a CommandProblem (one line, exit 1), any other is rethrown. */
export async function explained<T>(config: Config, phase: 'open' | 'listen', step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    const line = explainStartupError(err, config, phase);
    if (line === undefined) throw err;
    throw new CommandProblem(line);
  }
}
