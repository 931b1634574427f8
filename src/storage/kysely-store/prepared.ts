import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import { dialectOf, type DialectName } from './dialect.js';
import type { Database } from './tables.js';

const MARK = '\u0000hearth-value:';

/** Stands for the value named `name` in a query given to `prepared` (typed as whatever the column needs). */
export type Slot = <T = never>(name: string) => T;

/**
 * A query of fixed shape, built and compiled by Kysely once per dialect and afterwards run with
 * new values only. Building and compiling a query costs several microseconds: more than SQLite
 * needs to answer the point lookups and inserts on the paths every membership change takes.
 * `build` gets `slot(name)` placeholders for the values and must not depend on them otherwise.
 */
export function prepared<Values extends Record<string, unknown>, Row>(
  build: (db: Kysely<Database>, slot: Slot) => Compilable<Row>,
): (db: Kysely<Database>, values: Values) => Promise<Row[]> {
  const compiled = new Map<DialectName, { sql: string; parameters: ReadonlyArray<{ name: string } | { value: unknown }> }>();
  const slot: Slot = <T>(name: string) => `${MARK}${name}` as T;
  return async (db, values) => {
    const dialect = dialectOf(db);
    let query = compiled.get(dialect);
    if (!query) {
      const c = build(db, slot).compile();
      query = {
        sql: c.sql,
        parameters: c.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? { name: p.slice(MARK.length) } : { value: p })),
      };
      compiled.set(dialect, query);
    }
    const parameters = query.parameters.map((p) => ('name' in p ? values[p.name] : p.value));
    const result = await db.executeQuery<Row>(CompiledQuery.raw(query.sql, parameters));
    return result.rows;
  };
}
