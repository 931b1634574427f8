/**
 * One HTTPS exchange with a federation peer at an address already checked against the deny-list:
 * the connection goes to that IP address, never to a name (so DNS cannot swap in another), while
 * the TLS server name (SNI and the certificate check) and the Host header follow the resolution
 * rules. Bounded in time and in response size.
 */
import { request as plainRequest, type Agent as PlainAgent } from 'node:http';
import { request, type Agent } from 'node:https';
import { isIP } from 'node:net';

export interface HttpsExchange {
  /** An IP literal (IPv6 without brackets), allowed by the deny-list. */
  address: string;
  port: number;
  /** The name the certificate must be valid for: a hostname or an IP address. */
  tlsServerName: string;
  hostHeader: string;
  method: string;
  /** The request target: path and query string. */
  target: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** An HTTPS agent; for a plain `http:` exchange (a push gateway's http URL), `plain` and an HTTP agent. */
  agent: Agent | PlainAgent;
  plain?: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The peer could not be reached, timed out, or its answer was cut off or too large. */
export class ExchangeError extends Error {
  override readonly name = 'ExchangeError';
  constructor(readonly reason: 'network' | 'timeout' | 'too_large') {
    super(`federation exchange failed: ${reason}`);
  }
}

export function httpsExchange(exchange: HttpsExchange): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const options = {
      host: exchange.address,
      port: exchange.port,
      method: exchange.method,
      path: exchange.target,
      headers: { ...exchange.headers, Host: exchange.hostHeader, ...(exchange.body ? { 'Content-Length': String(exchange.body.length) } : {}) },
    };
    const req = exchange.plain
      ? plainRequest({ ...options, agent: exchange.agent as PlainAgent })
      // SNI carries hostnames only; for an IP the certificate is checked against `host`.
      : request({ ...options, servername: isIP(exchange.tlsServerName) === 0 ? exchange.tlsServerName : undefined, agent: exchange.agent as Agent });
    const fail = (reason: ExchangeError['reason']) => {
      req.destroy();
      reject(new ExchangeError(reason));
    };
    // One deadline for the whole exchange: a peer trickling bytes cannot hold us for ever.
    const timer = setTimeout(() => fail('timeout'), exchange.timeoutMs);
    req.on('error', () => {
      clearTimeout(timer);
      reject(new ExchangeError('network'));
    });
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > exchange.maxResponseBytes) {
        clearTimeout(timer);
        fail('too_large');
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > exchange.maxResponseBytes) {
          clearTimeout(timer);
          fail('too_large');
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', () => {
        clearTimeout(timer);
        reject(new ExchangeError('network'));
      });
    });
    req.end(exchange.body);
  });
}
