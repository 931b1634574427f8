/**
 * Canonical JSON (spec appendices, "Canonical JSON"): the shortest UTF-8 JSON encoding with
 * object keys sorted by Unicode code point and integers only in [-(2**53)+1, (2**53)-1].
 * Room versions 6+ enforce it strictly, so anything outside it is an error here, never a
 * silent coercion: what we hash and sign must be exactly what every other server would.
 */

/** The largest magnitude canonical JSON allows: 2**53 - 1. */
export const CANONICAL_JSON_MAX_INT = Number.MAX_SAFE_INTEGER;

/** A value that cannot be encoded as canonical JSON; `path` locates it (`content.body`, `users[2]`). */
export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path === '' ? reason : `${path}: ${reason}`);
  }
}

/**
 * Encodes `value` as canonical JSON. Throws `CanonicalJsonError` for floats, integers out of
 * range, NaN/Infinity, lone surrogates (not encodable as UTF-8), cycles, and anything that is
 * not null, a boolean, a string, an array or a plain object.
 *
 * Object properties whose value is `undefined` are omitted, as `JSON.stringify` does, so that
 * optional TypeScript fields left unset encode the same as when they are absent.
 * `-0` encodes as `0` (the appendix's own example does this).
 */
export function canonicalJson(value: unknown): string {
  return new Encoder().encode(value);
}

/**
 * Whether `value` could be part of an event (for validating client-supplied content): returns
 * the reason it could not, or undefined when it can.
 *
 * This sees parsed values only, so a raw `1.0` in a request body (parsed to the integer 1) is
 * not caught here; that needs a check on the request text.
 */
export function assertCanonicalJsonValue(value: unknown): string | undefined {
  try {
    new Encoder().encode(value);
    return undefined;
  } catch (err) {
    if (err instanceof CanonicalJsonError) return err.message;
    throw err;
  }
}

/**
 * Orders strings by Unicode code point. UTF-16 code unit order differs from code point order
 * only where a surrogate (part of a code point >= U+10000) meets a unit in U+E000..U+FFFF, so
 * the first differing units are remapped: E000..FFFF down to D800..F7FF, surrogates up to
 * F800..FFFF. Keys have been checked for lone surrogates before they are sorted.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return remapUnit(x) - remapUnit(y);
  }
  return a.length - b.length;
}

function remapUnit(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** A lone surrogate cannot be encoded as UTF-8; with the `u` flag a valid pair never matches. */
const LONE_SURROGATE = /\p{Cs}/u;

class Encoder {
  /** Path segments of the value being encoded, for error messages. */
  private readonly path: string[] = [];
  /** Objects and arrays currently open: meeting one again means a cycle. */
  private readonly open = new Set<object>();

  encode(value: unknown): string {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        return this.number(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'object':
        if (value === null) return 'null';
        if (this.open.has(value)) this.fail('the value contains a cycle');
        this.open.add(value);
        try {
          return Array.isArray(value) ? this.array(value) : this.object(value);
        } finally {
          this.open.delete(value);
        }
      default:
        return this.fail(`${typeof value} is not a JSON value`);
    }
  }

  private string(s: string): string {
    if (LONE_SURROGATE.test(s)) this.fail('string contains a lone UTF-16 surrogate');
    // For well-formed strings JSON.stringify emits exactly the appendix grammar: only `"`, `\`
    // and U+0000..U+001F are escaped, with \b \t \n \f \r or lower-case \u00XX.
    return JSON.stringify(s);
  }

  private number(n: number): string {
    if (!Number.isFinite(n)) return this.fail(`${n} is not a JSON number`);
    if (!Number.isInteger(n)) return this.fail(`${n} is not an integer`);
    if (Math.abs(n) > CANONICAL_JSON_MAX_INT) return this.fail(`${n} is outside [-(2**53)+1, (2**53)-1]`);
    // Integers in range print without exponent; String(-0) is "0".
    return String(n);
  }

  private array(items: readonly unknown[]): string {
    const parts: string[] = [];
    for (let i = 0; i < items.length; i++) {
      this.path.push(`[${i}]`);
      parts.push(this.encode(items[i]));
      this.path.pop();
    }
    return `[${parts.join(',')}]`;
  }

  private object(obj: object): string {
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      return this.fail(`${obj.constructor?.name ?? 'object'} is not a plain JSON object`);
    }
    const record = obj as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined);
    for (const key of keys) {
      if (LONE_SURROGATE.test(key)) this.fail(`key ${JSON.stringify(key)} contains a lone UTF-16 surrogate`);
    }
    keys.sort(compareCodePoints);
    const parts: string[] = [];
    for (const key of keys) {
      this.path.push(this.path.length === 0 ? key : `.${key}`);
      parts.push(`${JSON.stringify(key)}:${this.encode(record[key])}`);
      this.path.pop();
    }
    return `{${parts.join(',')}}`;
  }

  private fail(reason: string): never {
    throw new CanonicalJsonError(this.path.join(''), reason);
  }
}
