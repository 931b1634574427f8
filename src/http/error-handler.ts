import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionError } from '../core/unavailable.js';
import { MatrixError, badJson, invalidParam, missingParam, notJson, tooLarge, unknownError, unrecognized } from '../core/errors.js';


/** Turns any thrown value into the MatrixError the client will see. Internals never leak. */
export function toMatrixError(err: unknown, request: FastifyRequest): MatrixError {
  if (err instanceof MatrixError) return err;
  const fe = err as Partial<FastifyError> & { validation?: Array<{ keyword: string; params?: Record<string, unknown> }>; validationContext?: string };
  if (fe.validation) {
    const missing = fe.validation.find((v) => v.keyword === 'required');
    if (missing) return missingParam(`Missing parameter: ${String(missing.params?.missingProperty ?? '')}`);
    // A bad query or path parameter is M_INVALID_PARAM; a bad body is M_BAD_JSON.
    if (fe.validationContext === 'querystring' || fe.validationContext === 'params') return invalidParam(fe.message ?? 'Invalid parameter');
    return badJson(fe.message ?? 'Invalid request');
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLarge('Request body is too large');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return notJson('Content not JSON');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return unrecognized(400, 'Malformed request URL');
    default:
      break;
  }
  // PostgreSQL refuses some text that JSON allows (a NUL character): the client's input, not our fault.
  if (fe.code === '22P05' || fe.code === '22021') return badJson('Text contains characters that cannot be stored');
  // The database is down or unreachable: the request may be retried.
  if (isConnectionError(err)) {
    request.log.warn({ err }, 'database unavailable');
    return unknownError(503, 'The server is temporarily unavailable, please retry');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return unknownError(fe.statusCode, 'Bad request');
  }
  request.log.error({ err }, 'unhandled error');
  return unknownError(500, 'Internal server error');
}

export function sendError(reply: FastifyReply, err: MatrixError): FastifyReply {
  return reply.code(err.status).headers(err.headers).send(err.toBody());
}

/** Installs the one place where errors become HTTP responses, including 404/405 for unknown routes. */
export function installErrorHandling(app: FastifyInstance, allowedMethods: (url: string) => string[]): void {
  app.setErrorHandler((err, request, reply) => sendError(reply, toMatrixError(err, request)));
  app.setNotFoundHandler((request, reply) => {
    const methods = allowedMethods(request.url.split('?')[0] ?? '');
    if (methods.length > 0) {
      return sendError(reply.header('allow', methods.join(', ')), unrecognized(405, 'Method not allowed'));
    }
    return sendError(reply, unrecognized(404, 'Unrecognized request'));
  });
}
