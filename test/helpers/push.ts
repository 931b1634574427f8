import type { TestServer } from './test-server.js';

/**
 * Runs the push pipeline (record notifications, deliver to gateways) until a pass does nothing
 * twice in a row: the second pass starts after the first ended, so it saw every commit made
 * before this call (a pass a wake-up started earlier may be joined by the first).
 */
export async function settlePush(s: TestServer): Promise<void> {
  let idle = 0;
  for (let i = 0; i < 50 && idle < 2; i++) idle = (await s.app.pushWorker.runOnce()) === 0 ? idle + 1 : 0;
}
