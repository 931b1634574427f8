/** Storage's own small errors. Services translate them; they never reach a client as they are. */
export class ConflictError extends Error {
  constructor(what: string) {
    super(`conflict: ${what}`);
    this.name = 'ConflictError';
  }
}

/** The database cannot be reached or failed in a way a retry may fix. */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super('storage unavailable', { cause });
    this.name = 'StorageUnavailableError';
  }
}
