import { writeFileSync } from 'node:fs';
import { DEFAULTS } from '../config/defaults.js';
import { runCommand } from './options.js';

const HEADER = `# Hearth configuration. Every setting is optional; these are the defaults.
# Command-line flags and HEARTH_* environment variables override this file.
# database: a SQLite file path (default: <data_dir>/hearth.db) or a postgres:// URL.
# signing_key_path: default <data_dir>/signing.key (generated on first start).
# public_baseurl: what clients are told to use (default http://<host>:<port>/).
`;

const USAGE = `usage: hearth generate-config [--output FILE [--force]]

Prints a configuration file with every setting and its default.

options:
  -o, --output FILE  write it to FILE instead of standard output; an existing FILE is kept
  --force            with --output: overwrite an existing FILE

Through npm, use -s so that npm's banner stays out of the file:
  npm run -s hearth -- generate-config > hearth.yaml
`;

const SPEC = {
  name: 'generate-config',
  usage: USAGE,
  options: { output: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
} as const;

/** `hearth generate-config [--output FILE [--force]]`: prints every setting with its default. */
export function generateConfig(argv: string[]): Promise<number> {
  return runCommand(SPEC, argv, async ({ values }) => {
    // Loaded here, not at start-up: only this command writes YAML.
    const { stringify } = await import('yaml');
    const text = HEADER + stringify(DEFAULTS);
    if (values.output === undefined) {
      process.stdout.write(text);
      return 0;
    }
    try {
      writeFileSync(values.output, text, { flag: values.force ? 'w' : 'wx' });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      process.stderr.write(code === 'EEXIST'
        ? `hearth: ${values.output} exists; use --force to overwrite\n`
        : `hearth: cannot write ${values.output}: ${code ?? (err as Error).message}\n`);
      return 1;
    }
    process.stderr.write(`wrote ${values.output}\n`);
    return 0;
  });
}
