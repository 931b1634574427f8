import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type ConfigOverrides } from '../config/load.js';
import type { Config } from '../config/schema.js';

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
} as const satisfies ParseArgsConfig['options'];

export class UsageError extends Error {}

export function parseFlags<O extends ParseArgsConfig['options']>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
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
  };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ConfigOverrides;
}

/** Loads the configuration or reports why not; returns an exit code on failure. */
export function configOrExit(values: Record<string, string | boolean | undefined>): Config | number {
  try {
    return loadConfig(overridesFrom(values));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`hearth: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Runs a command body, turning usage errors into exit code 2 with a message. */
export async function withUsage(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`hearth: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
