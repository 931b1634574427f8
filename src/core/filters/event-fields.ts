/**
 * `event_fields`: keep only the listed dot-separated paths of an event (appendices,
 * "Dot-separated property paths"). `\.` is a literal dot and `\\` a literal backslash
 * inside a name; any other backslash is kept as-is, as the appendix requires.
 */

import { parsePropertyPath } from '../property-path.js';

type JsonRecord = Record<string, unknown>;

/** Splits a dot-separated path into property names, undoing the `\.` and `\\` escapes. */
export const parseFieldPath = parsePropertyPath;

/**
 * A copy of `event` holding only the listed fields; `fields` absent returns `event` itself.
 * Paths that name nothing, or that pass through a non-object, are skipped: the spec lets a
 * server return more fields than asked, never an error. Objects along a path are fresh copies,
 * but a value a path names in full is shared with `event`, so treat the result as read-only.
 */
export function applyEventFields(event: object, fields: readonly string[] | undefined): JsonRecord {
  const source = event as JsonRecord;
  if (fields === undefined) return source;
  const result: JsonRecord = {};
  for (const field of fields) copyPath(source, result, parseFieldPath(field));
  return result;
}

function copyPath(source: JsonRecord, target: JsonRecord, names: readonly string[]): void {
  // Resolve the whole path before writing, so a path that names nothing leaves no empty objects behind.
  const chain: unknown[] = [];
  let from: unknown = source;
  for (const name of names) {
    if (!isRecord(from) || !Object.hasOwn(from, name)) return;
    from = from[name];
    chain.push(from);
  }
  let to = target;
  for (const [index, name] of names.entries()) {
    const value = chain[index];
    if (index === names.length - 1) {
      setOwn(to, name, value);
      return;
    }
    const existing = to[name];
    // Already copied whole by a shorter path (`content` before `content.body`): nothing to add,
    // and writing into it would mutate the caller's event.
    if (existing === value) return;
    const next = isRecord(existing) ? existing : {};
    setOwn(to, name, next);
    to = next;
  }
}

/** Plain assignment of a `__proto__` key (legal in parsed JSON) would replace the prototype instead of copying the field. */
function setOwn(target: JsonRecord, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
