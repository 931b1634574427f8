/** Storage's own small errors. Services translate them; they never reach a client as they are. */
export class ConflictError extends Error {
  constructor(what: string) {
    super(`conflict: ${what}`);
    this.name = 'ConflictError';
  }
}

/**
 * Bringing the schema up to date failed: `migration` names the step that failed, or is undefined
 * when none could run (the database could not be reached or refused the login); `cause` says why.
 */
export class MigrationError extends Error {
  constructor(readonly migration: string | undefined, cause: unknown) {
    super(migration === undefined ? 'cannot migrate the database' : `database migration ${migration} failed`, { cause });
    this.name = 'MigrationError';
  }
}
