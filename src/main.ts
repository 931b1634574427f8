import { generateConfig } from './cli/generate-config.js';
import { registerUser } from './cli/register-user.js';
import { serve } from './cli/serve.js';
import { hearthVersion } from './cli/version.js';

const USAGE = `usage: hearth <command> [options]

commands:
  serve                      run the homeserver (what \`npm start\` runs)
  register-user <user>       create an account on the configured database
  generate-config            print (or write) a configuration file with every setting and its default

  hearth <command> --help    the options of a command
  hearth --version           the version of Hearth

Through npm, put -s before the command so that npm's banner stays out of the output:
  npm run -s hearth -- generate-config > hearth.yaml
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
    case '--version':
    case '-V':
    case 'version':
      process.stdout.write(`hearth ${hearthVersion()}\n`);
      return 0;
    case undefined:
      process.stderr.write(USAGE);
      return 2;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(command.startsWith('-')
        ? `hearth: unknown option ${command}; see hearth --help\n`
        : `hearth: unknown command ${JSON.stringify(command)}; see hearth --help\n`);
      return 2;
  }
}
