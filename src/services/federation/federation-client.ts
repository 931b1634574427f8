/**
 * Outbound federation requests: resolve the destination (ServerResolver), sign the request
 * with X-Matrix as our server, send it over HTTPS to each resolved address in turn (keep-alive,
 * certificates verified against the system CAs plus `federation.ca_file`), and parse the JSON
 * answer. Failures come back as one typed error; our key and the peer's raw answer never
 * appear in its message.
 */
import type { Agent } from 'node:https';
import { ErrCode } from '../../core/errors.js';
import { signRequest } from '../../core/federation/request-auth.js';
import type { SigningKey } from '../../core/events/signing.js';
import { ExchangeError, httpsExchange, type HttpsAnswer } from './https-transport.js';
import { FederationResolutionError, type ServerResolver } from './server-resolver.js';

export interface FederationRequestOptions {
  destination: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The path from `/_matrix/...`, with path parameters already percent-encoded. */
  path: string;
  query?: Readonly<Record<string, string | readonly string[]>>;
  body?: unknown;
  /** Leave out the X-Matrix header (for `/_matrix/key/v2/server`, which needs none). */
  unsigned?: boolean;
  /** The answer is v1's `[200, object]` (v1 invite, send_join, send_leave): the object is returned. */
  v1Envelope?: boolean;
}

/**
 * `unreachable`: no address could be resolved or connected to, or the exchange timed out.
 * `refused`: the peer answered with a non-2xx status (its errcode when it gave one).
 * `bad_response`: a 2xx that was not a JSON object (nor a v1 pair when one was asked for), or larger than allowed.
 */
export class FederationRequestError extends Error {
  override readonly name = 'FederationRequestError';
  constructor(
    readonly kind: 'unreachable' | 'refused' | 'bad_response',
    message: string,
    readonly status?: number,
    readonly errcode?: string,
  ) {
    super(message);
  }
}

export interface FederationClientOptions {
  serverName: string;
  signingKey: SigningKey;
  resolver: ServerResolver;
  /** One keep-alive agent for every peer, with the extra CA. */
  agent: Agent;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** What services need to ask other servers: FederationClient, or a fake peer in tests. */
export interface FederationRequester {
  /** The parsed JSON object the destination answered; throws FederationRequestError. */
  request(request: FederationRequestOptions): Promise<Record<string, unknown>>;
}

/**
 * Whether a peer does not know the endpoint asked (404, or 400 M_UNRECOGNIZED): the case where a
 * v2 endpoint falls back to its v1 (as Synapse decides it).
 */
export function isUnrecognisedEndpoint(err: unknown): boolean {
  return err instanceof FederationRequestError && err.kind === 'refused'
    && (err.status === 404 || (err.status === 400 && err.errcode === ErrCode.unrecognized));
}

export class FederationClient implements FederationRequester {
  constructor(private readonly options: FederationClientOptions) {}

  /** The parsed JSON object the destination answered; throws FederationRequestError. */
  async request(request: FederationRequestOptions): Promise<Record<string, unknown>> {
    const answer = await this.send(request);
    if (answer.status < 200 || answer.status > 299) {
      const errcode = errcodeOf(answer.body);
      throw new FederationRequestError('refused', `${request.destination} answered ${answer.status}${errcode ? ` ${errcode}` : ''}`, answer.status, errcode);
    }
    return answerObject(parseJson(answer.body), request, answer.status);
  }

  private async send(request: FederationRequestOptions): Promise<HttpsAnswer> {
    const { resolver, serverName, signingKey } = this.options;
    const target = request.path + queryString(request.query);
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body), 'utf8');
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (request.unsigned !== true) {
      headers['Authorization'] = signRequest(
        { method: request.method, uri: target, origin: serverName, destination: request.destination, content: request.body },
        signingKey,
      );
    }
    let lastError: unknown;
    try {
      for (const destination of await resolver.targets(request.destination)) {
        let addresses: string[];
        try {
          addresses = await resolver.addresses(destination);
        } catch (err) {
          lastError = err;
          continue;
        }
        for (const address of addresses) {
          try {
            return await httpsExchange({
              address,
              port: destination.port,
              tlsServerName: destination.tlsServerName,
              hostHeader: destination.hostHeader,
              method: request.method,
              target,
              headers,
              body,
              agent: this.options.agent,
              timeoutMs: this.options.timeoutMs,
              maxResponseBytes: this.options.maxResponseBytes,
            });
          } catch (err) {
            if (err instanceof ExchangeError && err.reason === 'too_large') {
              throw new FederationRequestError('bad_response', `${request.destination} answered more than ${this.options.maxResponseBytes} bytes`);
            }
            if (!(err instanceof ExchangeError)) throw err;
            lastError = err;
          }
        }
      }
    } catch (err) {
      if (!(err instanceof FederationResolutionError)) throw err;
      lastError = err;
    }
    const why = lastError instanceof Error ? `: ${lastError.message}` : '';
    throw new FederationRequestError('unreachable', `${request.destination} could not be reached${why}`);
  }
}

/** The JSON object a 2xx answer must be (inside v1's `[200, object]` when asked); else `bad_response`. */
export function answerObject(body: unknown, request: FederationRequestOptions, status?: number): Record<string, unknown> {
  const inner = request.v1Envelope && Array.isArray(body) && body.length === 2 && body[0] === 200 ? body[1] as unknown : body;
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    throw new FederationRequestError('bad_response', `${request.destination} did not answer a JSON object`, status);
  }
  return inner as Record<string, unknown>;
}

function queryString(query: FederationRequestOptions['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const one of typeof value === 'string' ? [value] : value) params.append(name, one);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function errcodeOf(bytes: Buffer): string | undefined {
  const body = parseJson(bytes);
  const errcode = typeof body === 'object' && body !== null ? (body as { errcode?: unknown }).errcode : undefined;
  return typeof errcode === 'string' && errcode.length <= 128 ? errcode : undefined;
}
