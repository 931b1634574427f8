/** Time is injected: core and services never read the wall clock directly (app.ts passes the real one). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}
