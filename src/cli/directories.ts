import { constants } from 'node:fs';
import { access, mkdir, realpath, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { CommandProblem, describeFsError } from './startup-errors.js';

/** Mount points of the kernel's own file systems: no place for data (and Node's mkdir spins forever under /proc). */
const KERNEL_ROOTS = ['/proc', '/sys', '/dev'];
/** Except /dev/shm, an ordinary (memory-backed) file system. */
const ORDINARY_UNDER_KERNEL_ROOTS = ['/dev/shm'];
/** statfs magic numbers of kernel file systems, for the same places mounted elsewhere: proc, sysfs, cgroup2, cgroup, devpts, debugfs, securityfs. */
const KERNEL_FS_TYPES = new Set([0x9fa0, 0x62656572, 0x63677270, 0x27e0eb, 0x1cd1, 0x64626720, 0x73636673]);

/**
 * Creates the directories the configuration writes into (the SQLite database's and the signing
 * key's, by default the data directory), or says why it cannot, before anything else touches them.
 * One level at a time and asynchronously: Node's recursive mkdir never returns under /proc, and a
 * blocked main thread would ignore Ctrl-C.
 */
export async function prepareDirectories(config: Config): Promise<void> {
  const dirs = new Map<string, string>();
  if (config.database.kind === 'sqlite' && config.database.path !== ':memory:') {
    dirs.set(path.dirname(config.database.path), 'the SQLite database (--database or --data-dir)');
  }
  dirs.set(path.dirname(config.signingKeyPath), 'the signing key (signing_key_path or --data-dir)');
  for (const [dir, forWhat] of dirs) {
    const label = dir === config.dataDir ? `data directory ${dir}` : `directory ${dir} (for ${forWhat})`;
    await prepareDirectory(dir, label);
  }
}

async function prepareDirectory(dir: string, label: string): Promise<void> {
  const fail = (why: string) => new CommandProblem(`${label} cannot be used: ${why}; choose another with --data-dir or data_dir`);
  const missing: string[] = [];
  let existing = dir;
  for (;;) {
    const info = await stat(existing).catch((err: NodeJS.ErrnoException) => err);
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) throw fail(existing === dir ? 'it is a file, not a directory' : `${existing} is a file, not a directory`);
      break;
    }
    if (info.code !== 'ENOENT' && info.code !== 'ENOTDIR') throw fail(`${existing}: ${describeFsError(info.code)}`);
    missing.unshift(existing);
    existing = path.dirname(existing);
  }
  await refuseKernelFileSystem(existing, label);
  for (const step of missing) {
    try {
      // Private to the server's user: the database and the signing key live here.
      await mkdir(step, { mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw fail(`cannot create ${step}: ${describeFsError(code)}`);
    }
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw fail(`it is not writable: ${describeFsError((err as NodeJS.ErrnoException).code)}`);
  }
}

async function refuseKernelFileSystem(existing: string, label: string): Promise<void> {
  const real = await realpath(existing).catch(() => existing);
  const under = (r: string) => real === r || real.startsWith(`${r}/`);
  const root = ORDINARY_UNDER_KERNEL_ROOTS.some(under) ? undefined : KERNEL_ROOTS.find(under);
  const type = await statfs(real).then((s) => s.type, () => undefined);
  if (root !== undefined || (type !== undefined && KERNEL_FS_TYPES.has(type))) {
    throw new CommandProblem(`${label} is on ${root ?? real}, a kernel file system, not a disk; choose a directory on a disk with --data-dir or data_dir`);
  }
}
