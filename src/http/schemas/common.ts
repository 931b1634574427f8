/** JSON-schema fragments shared by route schemas. */
export const anyObject = { type: 'object' } as const;

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
