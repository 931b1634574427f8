import { constants } from 'node:os';

/** SIGTERM and SIGINT, watched from the very start of `serve`. */
export interface StopSignals {
  /** Resolves with the first signal received after `started()`. */
  readonly stopped: Promise<NodeJS.Signals>;
  /** Start-up is over: from now on a signal asks for a graceful stop. */
  started(): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Installed before any work that can take long, so that Ctrl-C always stops Hearth. During start-up
 * there is nothing to finish, so a signal ends the process at once; after, the first one asks for
 * a graceful stop and a second one (an impatient Ctrl-C) ends it at once.
 */
export function watchStopSignals(): StopSignals {
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let resolveStopped!: (signal: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (phase === 'running') {
      phase = 'stopping';
      resolveStopped(signal);
      return;
    }
    process.stderr.write(`hearth: ${signal} ${phase === 'starting' ? 'during start-up' : 'again'}: stopping now\n`);
    dieBy(signal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  return { stopped, started: () => void (phase = 'running') };
}

/**
 * Ends the process by the signal itself (the status a shell or a supervisor expects), with the
 * handlers gone. Not process.exit(): that waits for the libuv thread pool, where a stuck file
 * system call may never return.
 */
function dieBy(signal: NodeJS.Signals): void {
  for (const s of SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal);
  // Only reached if someone else still listens to the signal.
  setTimeout(() => process.exit(128 + constants.signals[signal]), 1000).unref();
}
