import { buildCore } from '../app.js';
import { MatrixError } from '../core/errors.js';
import type { Config } from '../config/schema.js';
import { prepareDirectories } from './directories.js';
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, UsageError, configFrom, runCommand } from './options.js';
import { checkPasswordOptions, choosePassword } from './password-input.js';
import { CommandProblem, explained } from './startup-errors.js';

const USAGE = `usage: hearth register-user <user> [--admin] [password option] [options]

Creates an account directly in the configured database (whether or not the server is running).
<user> is a localpart (alice) or a full user ID of this server (@alice:example.org).

password options (at most one):
  --password-file FILE  read it from the first line of FILE
  --password-stdin      read it from standard input (e.g. piped from a password manager)
  --password P          give it on the command line: other users of the machine can see it
                        (ps, shell history); prefer the two above
  with none: asked for on the terminal without echo (an empty answer, or no terminal, makes a
  random one, which is printed)

options:
  --admin               make the account a server admin
${CONFIG_FLAGS_HELP}`;

const SPEC = {
  name: 'register-user',
  usage: USAGE,
  options: {
    ...CONFIG_FLAGS,
    password: { type: 'string' },
    'password-file': { type: 'string' },
    'password-stdin': { type: 'boolean' },
    admin: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1, what: 'user (a localpart or @localpart:server)' },
} as const;

/** `hearth register-user <user> [--admin] [password option]`: works offline on the configured database. */
export function registerUser(argv: string[]): Promise<number> {
  return runCommand(SPEC, argv, async ({ values, positionals }) => {
    const config = configFrom(values);
    const localpart = localpartOf(positionals[0]!, config);
    checkPasswordOptions(values);
    const { store, services } = await explained(config, 'open', async () => {
      await prepareDirectories(config);
      return buildCore(config);
    });
    try {
      // The name first, as over the API: nobody types a password for a name that is taken.
      const userId = await services.registration.checkAvailable(localpart);
      const { password, generated } = await choosePassword(values, config.passwordMinLength);
      services.registration.checkPassword(password);
      await services.registration.createAccount({ userId, password, admin: values.admin === true });
      process.stdout.write(`created ${userId}${values.admin ? ' (admin)' : ''}\n`);
      if (generated) process.stdout.write(`password: ${password}\n`);
      return 0;
    } catch (err) {
      if (err instanceof MatrixError) throw new CommandProblem(`cannot register ${positionals[0]}: ${err.message}`);
      throw err;
    } finally {
      await store.close();
    }
  });
}

/** The localpart of `alice` or `@alice:<this server>`; a user ID of another server is refused, not rewritten. */
function localpartOf(user: string, config: Config): string {
  if (!user.startsWith('@')) return user;
  const colon = user.indexOf(':');
  if (colon === -1) throw new UsageError(`${user} is not a user ID (@localpart:server); give the localpart alone, or @localpart:${config.serverName}`);
  const server = user.slice(colon + 1);
  if (server !== config.serverName) {
    throw new UsageError(`${user} belongs to ${server}, but this server is ${config.serverName} (--server-name or server_name); give @${user.slice(1, colon)}:${config.serverName} or the localpart alone`);
  }
  return user.slice(1, colon);
}
