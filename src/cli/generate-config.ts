import { writeFileSync } from 'node:fs';
import { DEFAULTS } from '../config/defaults.js';
import { parseFlags, withUsage } from './options.js';

const HEADER = `# Hearth configuration. Every setting is optional; these are the defaults.
# Command-line flags and HEARTH_* environment variables override this file.
# database: a SQLite file path (default: <data_dir>/hearth.db) or a postgres:// URL.
# signing_key_path: default <data_dir>/signing.key (generated on first start).
# public_baseurl: what clients are told to use (default http://<host>:<port>/).
`;

/** `hearth generate-config [--output FILE]`: prints every setting with its default. */
export function generateConfig(argv: string[]): Promise<number> {
  return withUsage(async () => {
    const { values } = parseFlags(argv, { output: { type: 'string', short: 'o' } });
    // Loaded here, not at start-up: only this command writes YAML.
    const { stringify } = await import('yaml');
    const text = HEADER + stringify(DEFAULTS);
    if (values.output) writeFileSync(values.output, text, { flag: 'wx' });
    else process.stdout.write(text);
    return 0;
  });
}
