/** JSON-schema fragments shared by route schemas. */
export const anyObject = { type: 'object' } as const;

/**
 * For strings stored as text of their own (names, messages, types, keys; not those inside event
 * content, stored as JSON): no U+0000, which PostgreSQL cannot store (a 500 there).
 */
export const NO_NUL = '^[^\\u0000]*$';

/** A body that may be absent or any JSON object (unknown fields are ignored). */
export const optionalObjectBody = { type: ['object', 'null'] } as const;

export const stringParam = (maxLength = 1024) => ({ type: 'string', maxLength }) as const;

export function paramsOf(...names: string[]) {
  return {
    type: 'object',
    required: names,
    properties: Object.fromEntries(names.map((n) => [n, stringParam(2048)])),
  } as const;
}
