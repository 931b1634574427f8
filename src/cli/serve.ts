import { buildApp } from '../app.js';
import { CONFIG_FLAGS, configOrExit, parseFlags, withUsage } from './options.js';
import { createLogger } from './logger.js';

/** `hearth serve`: runs until SIGTERM/SIGINT, then finishes in-flight requests and closes the database. */
export function serve(argv: string[]): Promise<number> {
  return withUsage(async () => {
    const { values } = parseFlags(argv, CONFIG_FLAGS);
    const config = configOrExit(values);
    if (typeof config === 'number') return config;
    const logger = createLogger(config);
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    const app = await buildApp(config, { logger });
    const address = await app.listen();
    logger.info({ address, serverName: config.serverName, database: config.database.kind }, 'Hearth is serving');

    const signal = await stopped;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    logger.info('stopped');
    logger.flush();
    return 0;
  });
}
