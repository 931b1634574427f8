import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type ConfigOverrides } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { CommandProblem } from './startup-errors.js';

/** The flags every command that reads the configuration accepts. */
export const CONFIG_FLAGS = {
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'server-name': { type: 'string' },
  'data-dir': { type: 'string' },
  database: { type: 'string' },
  'enable-registration': { type: 'boolean' },
  'disable-rate-limits': { type: 'boolean' },
  'federation-host': { type: 'string' },
  'federation-port': { type: 'string' },
  'tls-certificate': { type: 'string' },
  'tls-private-key': { type: 'string' },
  'federation-ca-file': { type: 'string' },
  'allow-private-addresses': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** The help text of CONFIG_FLAGS, shown by the commands that take them. */
export const CONFIG_FLAGS_HELP = `configuration options (each also an environment variable):
  --config FILE          YAML configuration file             (HEARTH_CONFIG)
  --host HOST            listen address, default 127.0.0.1   (HEARTH_HOST)
  --port PORT            listen port, default 8008           (HEARTH_PORT)
  --server-name NAME     the server name, default localhost  (HEARTH_SERVER_NAME)
  --data-dir DIR         data directory, default ./data      (HEARTH_DATA_DIR)
  --database DB          SQLite file path or postgres:// URL (HEARTH_DATABASE)
  --enable-registration  allow open registration             (HEARTH_ENABLE_REGISTRATION=true)
  --disable-rate-limits  turn every rate limiter off         (HEARTH_DISABLE_RATE_LIMITS=true)
federation (in progress; no listener unless --federation-port is given):
  --federation-port PORT      federation listener port      (HEARTH_FEDERATION_PORT)
  --federation-host HOST      its address, default 127.0.0.1 (HEARTH_FEDERATION_HOST)
  --tls-certificate FILE      PEM certificate chain: HTTPS  (HEARTH_TLS_CERTIFICATE)
  --tls-private-key FILE      PEM private key for it        (HEARTH_TLS_PRIVATE_KEY)
  --federation-ca-file FILE   extra CAs for outbound requests (HEARTH_FEDERATION_CA_FILE)
  --allow-private-addresses   let outbound requests reach private addresses (HEARTH_ALLOW_PRIVATE_ADDRESSES=true)
`;

/** A mistake on the command line: reported in one line with a pointer to the command's help, exit 2. */
export class UsageError extends Error {}

/** A command: its name, its help text, and the options it accepts besides --help. */
export interface CommandSpec<O extends ParseArgsConfig['options']> {
  name: string;
  usage: string;
  options: O;
  /** How many positional arguments it takes (default none), and what they are called. */
  positionals?: { min: number; max: number; what: string };
}

/**
 * Runs a command: `--help` prints its usage (exit 0); an unknown option, a missing value or a
 * stray argument is one line naming the command and its help (exit 2); otherwise `body` runs.
 * An invalid configuration is one line naming the setting (exit 2); a start-up problem one line
 * saying what to do (exit 1).
 */
export async function runCommand<O extends ParseArgsConfig['options']>(
  spec: CommandSpec<O>,
  argv: string[],
  body: (parsed: ReturnType<typeof parseFlags<O>>) => Promise<number>,
): Promise<number> {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(spec.usage);
    return 0;
  }
  try {
    const parsed = parseFlags(spec.name, argv, spec.options);
    const { min, max, what } = spec.positionals ?? { min: 0, max: 0, what: 'arguments' };
    const n = parsed.positionals.length;
    if (n < min || n > max) {
      throw new UsageError(max === 0
        ? `${spec.name} takes no arguments (got ${JSON.stringify(parsed.positionals[0])})`
        : `${spec.name} takes ${min === max ? `exactly ${min}` : `${min} to ${max}`} ${what}`);
    }
    return await body(parsed);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`hearth: ${err.message}; see hearth ${spec.name} --help\n`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof CommandProblem) {
      process.stderr.write(`hearth: ${err.message}\n`);
      return err instanceof ConfigError ? 2 : 1;
    }
    throw err;
  }
}

function parseFlags<O extends ParseArgsConfig['options']>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(describeParseError(command, err as Error & { code?: string }));
  }
}

/** node:util's messages, rewritten: its own are long, quote unevenly and do not name the command. */
function describeParseError(command: string, err: Error & { code?: string }): string {
  const option = /'(-[^'\s]+)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option} for ${command}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option ${option} of ${command} ${/argument missing/.test(err.message) ? 'needs a value' : 'takes no value'}`;
    default:
      return err.message;
  }
}

export function overridesFrom(values: Record<string, string | boolean | undefined>): ConfigOverrides {
  const pick = <T>(v: unknown) => v as T | undefined;
  const o: ConfigOverrides = {
    config: pick<string>(values.config),
    host: pick<string>(values.host),
    port: pick<string>(values.port),
    serverName: pick<string>(values['server-name']),
    dataDir: pick<string>(values['data-dir']),
    database: pick<string>(values.database),
    enableRegistration: values['enable-registration'] === true ? true : undefined,
    disableRateLimits: values['disable-rate-limits'] === true ? true : undefined,
    federationHost: pick<string>(values['federation-host']),
    federationPort: pick<string>(values['federation-port']),
    tlsCertificate: pick<string>(values['tls-certificate']),
    tlsPrivateKey: pick<string>(values['tls-private-key']),
    federationCaFile: pick<string>(values['federation-ca-file']),
    allowPrivateAddresses: values['allow-private-addresses'] === true ? true : undefined,
  };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ConfigOverrides;
}

/** The configuration from the defaults, the file, the environment and these flags; throws ConfigError. */
export function configFrom(values: Record<string, string | boolean | undefined>): Config {
  return loadConfig(overridesFrom(values));
}
