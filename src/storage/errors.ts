/** Storage's own small errors. Services translate them; they never reach a client as they are. */
export class ConflictError extends Error {
  constructor(what: string) {
    super(`conflict: ${what}`);
    this.name = 'ConflictError';
  }
}
