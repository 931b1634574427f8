import { pino, type Logger } from 'pino';
import type { Config } from '../config/schema.js';

/** Structured JSON logs; pretty-printed when a person is watching the terminal. */
export function createLogger(config: Config): Logger {
  const pretty = process.stdout.isTTY;
  return pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', '*.password', '*.access_token'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}
