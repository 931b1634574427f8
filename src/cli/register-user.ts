import { randomBytes } from 'node:crypto';
import { buildCore } from '../app.js';
import { CONFIG_FLAGS, UsageError, configOrExit, parseFlags, withUsage } from './options.js';

/** `hearth register-user <localpart> [--password P] [--admin]`: works offline on the configured database. */
export function registerUser(argv: string[]): Promise<number> {
  return withUsage(async () => {
    const { values, positionals } = parseFlags(argv, {
      ...CONFIG_FLAGS,
      password: { type: 'string' },
      admin: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('register-user takes exactly one localpart');
    const config = configOrExit(values);
    if (typeof config === 'number') return config;
    const { store, services } = await buildCore(config);
    try {
      const userId = await services.registration.checkAvailable(positionals[0]!.replace(/^@/, '').split(':')[0]!);
      const generated = values.password === undefined;
      const password = values.password ?? randomBytes(12).toString('base64url');
      await services.registration.createAccount({ userId, password, admin: values.admin === true });
      process.stdout.write(`created ${userId}${values.admin ? ' (admin)' : ''}\n`);
      if (generated) process.stdout.write(`password: ${password}\n`);
      return 0;
    } catch (err) {
      const message = (err as { message?: string }).message ?? String(err);
      process.stderr.write(`hearth: cannot register ${positionals[0]}: ${message}\n`);
      return 1;
    } finally {
      await store.close();
    }
  });
}
