import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidParam } from '../core/errors.js';
import { DEFAULT_CONTENT_TYPE, DOWNLOAD_SAFETY_HEADERS, MAX_FILENAME_LENGTH, contentDisposition, uploadContentType, type ThumbnailMethod } from '../core/media.js';
import { DEFAULT_DOWNLOAD_WAIT_MS, type MediaPath } from '../services/media/media-repository.js';
import type { Services } from '../services/services.js';
import { requesterOf } from './auth.js';
import { paramsOf } from './schemas/common.js';

/** The legacy media paths: v3, and r0 for older clients. */
const LEGACY_PREFIXES = ['/_matrix/media/v3', '/_matrix/media/r0'];
const AUTHENTICATED_PREFIX = '/_matrix/client/v1/media';

const TIMEOUT_MS = { type: 'integer', minimum: 0 } as const;
const DOWNLOAD_QUERY = { type: 'object', properties: { timeout_ms: TIMEOUT_MS } } as const;
/** Desired sizes beyond any thumbnail's make no sense; the bound keeps the numbers small. */
const DIMENSION = { type: 'integer', minimum: 1, maximum: 10_000 } as const;
const THUMBNAIL_QUERY = {
  type: 'object',
  required: ['width', 'height'],
  properties: { width: DIMENSION, height: DIMENSION, method: { type: 'string', enum: ['crop', 'scale'] }, animated: { type: 'boolean' }, timeout_ms: TIMEOUT_MS },
} as const;
const UPLOAD_QUERY = { type: 'object', properties: { filename: { type: 'string', maxLength: MAX_FILENAME_LENGTH } } } as const;

interface MediaParams { serverName: string; mediaId: string; fileName?: string }
interface ThumbnailQuery { width: number; height: number; method?: ThumbnailMethod; animated?: boolean; timeout_ms?: number }

/** The content repository: uploads (legacy paths only, as the spec has them) and reads on both kinds of path. */
export async function mediaRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  // Uploads are raw bytes of any type, streamed to disk by the service under its own size limit,
  // not parsed (and not held by the JSON parser's max_request_bytes).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  // A refused upload leaves its body unread: closing the connection stops the client sending it.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 && !request.raw.readableEnded && request.method !== 'GET') reply.header('connection', 'close');
    return payload;
  });

  const upload = { auth: 'required', deniedWhenSuspended: true, rateLimit: 'media_upload', anyJsonBody: true } as const;
  for (const prefix of LEGACY_PREFIXES) {
    app.post<{ Querystring: { filename?: string } }>(`${prefix}/upload`, { schema: { querystring: UPLOAD_QUERY }, config: upload },
      async (req) => services.media.upload(requesterOf(req), uploadInput(req)));
    app.put<{ Params: MediaParams; Querystring: { filename?: string } }>(`${prefix}/upload/:serverName/:mediaId`,
      { schema: { params: paramsOf('serverName', 'mediaId'), querystring: UPLOAD_QUERY }, config: upload },
      async (req) => services.media.uploadTo(requesterOf(req), req.params.serverName, req.params.mediaId, uploadInput(req)));
  }
  app.post('/_matrix/media/v1/create', { config: { auth: 'required', deniedWhenSuspended: true, rateLimit: 'media_upload', anyJsonBody: true } },
    async (req) => services.media.create(requesterOf(req)));

  const reads: Array<{ prefix: string; via: MediaPath; auth: 'required' | 'none' }> = [
    { prefix: AUTHENTICATED_PREFIX, via: 'authenticated', auth: 'required' },
    ...LEGACY_PREFIXES.map((prefix) => ({ prefix, via: 'legacy' as const, auth: 'none' as const })),
  ];
  for (const { prefix, via, auth } of reads) {
    // The legacy config needs a token too (the spec's security for it), like every config read.
    app.get(`${prefix}/config`, { config: { auth: 'required' } }, async () => services.media.uploadConfig());
    for (const suffix of ['', '/:fileName']) {
      app.get<{ Params: MediaParams; Querystring: { timeout_ms?: number } }>(`${prefix}/download/:serverName/:mediaId${suffix}`,
        { schema: { params: paramsOf('serverName', 'mediaId', ...(suffix ? ['fileName'] : [])), querystring: DOWNLOAD_QUERY }, config: { auth } },
        async (req, reply) => download(services, req, reply, via));
    }
    app.get<{ Params: MediaParams; Querystring: ThumbnailQuery }>(`${prefix}/thumbnail/:serverName/:mediaId`,
      { schema: { params: paramsOf('serverName', 'mediaId'), querystring: THUMBNAIL_QUERY }, config: { auth } },
      async (req, reply) => thumbnail(services, req, reply, via));
  }
}

function uploadInput(req: FastifyRequest<{ Querystring: { filename?: string } }>) {
  const length = req.headers['content-length'];
  const declaredLength = length === undefined ? undefined : Number(length);
  return {
    // With no body at all Fastify hands no stream: an empty upload.
    body: (req.body ?? []) as NodeJS.ReadableStream & AsyncIterable<Uint8Array>,
    contentType: uploadContentType(req.headers['content-type']),
    filename: req.query.filename ?? null,
    declaredLength: Number.isSafeInteger(declaredLength) ? declaredLength : undefined,
  };
}

async function download(services: Services, req: FastifyRequest<{ Params: MediaParams; Querystring: { timeout_ms?: number } }>, reply: FastifyReply, via: MediaPath) {
  const { serverName, mediaId, fileName } = req.params;
  if (fileName !== undefined && fileName.length > MAX_FILENAME_LENGTH) throw invalidParam(`File names may be at most ${MAX_FILENAME_LENGTH} characters`);
  const { record, file } = await services.media.download(serverName, mediaId, { via, timeoutMs: req.query.timeout_ms ?? DEFAULT_DOWNLOAD_WAIT_MS });
  const contentType = record.contentType ?? DEFAULT_CONTENT_TYPE;
  safetyHeaders(reply, contentType, record.size).header('content-disposition', contentDisposition(contentType, fileName ?? record.uploadName));
  return sendFile(req, reply, file);
}

async function thumbnail(services: Services, req: FastifyRequest<{ Params: MediaParams; Querystring: ThumbnailQuery }>, reply: FastifyReply, via: MediaPath) {
  const { width, height, method = 'scale', animated = false, timeout_ms: timeoutMs = DEFAULT_DOWNLOAD_WAIT_MS } = req.query;
  const { thumbnail: made, file } = await services.thumbnails.open(req.params.serverName, req.params.mediaId, { width, height, method, animated, via, timeoutMs });
  safetyHeaders(reply, made.contentType, made.size).header('content-disposition', contentDisposition(made.contentType, null));
  return sendFile(req, reply, file);
}

/**
 * Streams the file (closed when the stream ends). A HEAD request gets an empty stream instead: Fastify
 * would read a real one through to discard it, and with no payload at all it would say Content-Length: 0.
 */
async function sendFile(req: FastifyRequest, reply: FastifyReply, file: FileHandle) {
  if (req.method !== 'HEAD') return reply.send(file.createReadStream());
  await file.close();
  return reply.send(Readable.from([]));
}

function safetyHeaders(reply: FastifyReply, contentType: string, size: number): FastifyReply {
  return reply.headers(DOWNLOAD_SAFETY_HEADERS).header('content-type', contentType).header('content-length', String(size));
}
