// The real `synadm` CLI (Debian package `synadm`), pointed at a Hearth: a config file in a temporary
// directory of its own (also its HOME, where synadm writes its debug log), run in batch mode with
// JSON output.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const haveSynadm = spawnSync('synadm', ['--help'], { stdio: 'ignore' }).status === 0;
const requireSynadm = process.env.HEARTH_REQUIRE_SYNADM === '1';

/** For `describe(..., { skip })`: a reason when synadm is missing, unless HEARTH_REQUIRE_SYNADM=1 makes that a failure. */
export const synadmSkip: string | false = !haveSynadm && !requireSynadm
  ? 'synadm is not installed (apt install synadm; or set HEARTH_REQUIRE_SYNADM=1 to make this a failure)'
  : false;

export interface SynadmResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every JSON document synadm printed, in order (it prints one a line, between lines of its own text). */
  json: unknown[];
  /** The last of them: the answer to the command's own request. */
  last: unknown;
}

export interface Synadm {
  run(args: string[]): Promise<SynadmResult>;
  close(): void;
}

/** A synadm configured for `baseUrl` as `user` with `token`; `homeserver` spares it discovering the server name. */
export function synadmFor(options: { baseUrl: string; user: string; token: string; homeserver: string }): Synadm {
  const home = mkdtempSync(path.join(tmpdir(), 'hearth-synadm-'));
  const config = path.join(home, 'synadm.yaml');
  // synadm's own YAML keys; JSON is YAML.
  writeFileSync(config, JSON.stringify({
    user: options.user,
    token: options.token,
    base_url: options.baseUrl,
    admin_path: '/_synapse/admin',
    matrix_path: '/_matrix',
    timeout: 30,
    server_discovery: 'well-known',
    homeserver: options.homeserver,
    format: 'json',
  }), { mode: 0o600 });
  return {
    run(args) {
      if (!haveSynadm) throw new Error('synadm is not installed (HEARTH_REQUIRE_SYNADM=1): apt install synadm');
      const child = spawn('synadm', ['--batch', '-o', 'json', '-c', config, ...args], {
        env: { ...process.env, HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      return new Promise((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code) => {
          const json = stdout.split('\n').filter((l) => /^[[{]/.test(l)).map((l) => JSON.parse(l) as unknown);
          resolve({ code, stdout, stderr, json, last: json.at(-1) });
        });
      });
    },
    close() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}
