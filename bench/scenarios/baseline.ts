import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { summarize } from '../client.js';
import { ResourceMonitor } from '../hearth-process.js';

/** 32 concurrent clients POSTing to the bare server for `seconds`. */
export async function baseline(port: number, seconds: number, concurrency = 32) {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-baseline-'));
  const child = fork(path.join(import.meta.dirname, '../baseline-server.mjs'), [path.join(dir, 'b.db'), String(port)], { stdio: 'ignore' });
  await new Promise((r) => child.once('message', r));
  const monitor = new ResourceMonitor(child.pid!);
  const before = monitor.start();
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/write`, { method: 'POST', body: '{"membership":"leave","reason":"bench"}' });
      await res.text();
      latencies.push(performance.now() - t);
    }
  }));
  const after = monitor.stop();
  child.kill();
  rmSync(dir, { recursive: true, force: true });
  return {
    opsPerSecond: latencies.length / seconds,
    latencyMs: summarize(latencies),
    peakRssMb: monitor.peakRss / 2 ** 20,
    cpuSecondsPerOp: (after.cpuSeconds - before.cpuSeconds) / latencies.length,
  };
}
