import { pino, type Logger } from 'pino';
import type { Config } from '../config/schema.js';

/**
 * Structured JSON logs; pretty-printed when a person is watching the terminal. Lines are written
 * asynchronously (a write per request would otherwise block the event loop on the pipe): under load
 * they are coalesced, and whatever is still buffered is flushed when the process exits.
 */
export function createLogger(config: Config): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', '*.password', '*.access_token'], censor: '[redacted]' },
  };
  if (process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino(options, pino.destination({ dest: 1, sync: false }));
}
