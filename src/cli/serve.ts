import { buildApp } from '../app.js';
import { prepareDirectories } from './directories.js';
import { createLogger } from './logger.js';
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, configFrom, runCommand } from './options.js';
import { watchStopSignals } from './signals.js';
import { explained } from './startup-errors.js';

const USAGE = `usage: hearth serve [options]

Runs the homeserver until SIGTERM or SIGINT (Ctrl-C), then finishes in-flight requests, closes the
database and exits 0. A signal during start-up stops it at once.

${CONFIG_FLAGS_HELP}`;

const SPEC = { name: 'serve', usage: USAGE, options: CONFIG_FLAGS } as const;

/** `hearth serve`: runs until SIGTERM/SIGINT, then finishes in-flight requests and closes the database. */
export function serve(argv: string[]): Promise<number> {
  return runCommand(SPEC, argv, async ({ values }) => {
    const signals = watchStopSignals();
    const config = configFrom(values);
    const logger = createLogger(config);
    const app = await explained(config, 'open', async () => {
      await prepareDirectories(config);
      return buildApp(config, { logger });
    });
    const address = await explained(config, 'listen', () => app.listen()).catch(async (err: unknown) => {
      await app.close();
      throw err;
    });
    signals.started();
    const { federation } = config;
    const federationAddress = federation.port === null ? undefined
      : `${federation.tlsCertificatePath === null ? 'http' : 'https'}://${federation.host}:${federation.port}`;
    logger.info({ address, federation: federationAddress, serverName: config.serverName, database: config.database.kind }, 'Hearth is serving');

    const signal = await signals.stopped;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    logger.info('stopped');
    logger.flush();
    return 0;
  });
}
