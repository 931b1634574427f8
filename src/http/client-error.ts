import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { unknownError, unrecognized, type MatrixError } from '../core/errors.js';

/**
 * Requests that Node's HTTP parser refuses never reach Fastify's routing or error handler: they get
 * this answer instead of Fastify's own `{"error":"Bad Request","message":"Client Error",...}`, so
 * that every error a client can receive is a Matrix error (`errcode`, `error`).
 */
export function clientErrorReply(err: NodeJS.ErrnoException): MatrixError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return unknownError(408, 'Request timed out');
    case 'HPE_HEADER_OVERFLOW':
      return unknownError(431, 'Request headers are too large');
    case 'HPE_INVALID_URL':
      // As for a URL the router cannot decode (error-handler.ts).
      return unrecognized(400, 'Malformed request URL');
    default:
      return unknownError(400, 'Malformed HTTP request');
  }
}

/** Fastify's `clientErrorHandler`: writes the Matrix error on the raw socket, then closes it. */
export function makeClientErrorHandler(log: FastifyBaseLogger) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    // A reset connection has nobody left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const error = clientErrorReply(err);
    log.debug({ code: err.code, status: error.status }, 'malformed request refused by the HTTP parser');
    if (socket.writable) {
      const body = JSON.stringify(error.toBody());
      socket.write(`HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\nContent-Type: application/json\r\n`
        + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}
