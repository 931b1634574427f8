import { generateConfig } from './cli/generate-config.js';
import { registerUser } from './cli/register-user.js';
import { serve } from './cli/serve.js';

const USAGE = `usage: hearth <command> [options]

commands:
  serve                      run the homeserver (what \`npm start\` runs)
  register-user <localpart>  create an account on the configured database [--password P] [--admin]
  generate-config            print a configuration file with every setting and its default

options of serve and register-user:
  --config FILE          YAML configuration file            (HEARTH_CONFIG)
  --host HOST            listen address, default 127.0.0.1  (HEARTH_HOST)
  --port PORT            listen port, default 8008          (HEARTH_PORT)
  --server-name NAME     the server name, default localhost (HEARTH_SERVER_NAME)
  --data-dir DIR         data directory, default ./data     (HEARTH_DATA_DIR)
  --database DB          SQLite file path or postgres:// URL (HEARTH_DATABASE)
  --enable-registration  allow open registration            (HEARTH_ENABLE_REGISTRATION=true)
  --disable-rate-limits  turn every rate limiter off        (HEARTH_DISABLE_RATE_LIMITS=true)
`;

/** Dispatches a command line; resolves to the process exit code (serve resolves when it stops). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'register-user':
      return registerUser(rest);
    case 'generate-config':
      return generateConfig(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`hearth: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}
