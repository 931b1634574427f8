import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Bodies are validated strictly (a number is never silently turned into a string: a wrong type is
 * M_BAD_JSON); path and query parameters arrive as strings and are coerced to their declared types.
 */
export function installValidation(app: FastifyInstance): void {
  const bodies = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  const params = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : params).compile(schema));
}
