/**
 * Validate HTTP responses against the official Matrix client-server spec
 * (the machine-readable OpenAPI 3.1 documents of matrix-spec), and, when a
 * caller asks for `'server-server'`, against the server-server spec.
 *
 * The spec is a pinned test fixture, `test/fixtures/matrix-spec/data` (v1.19,
 * see its README); the MATRIX_SPEC_DIR environment variable overrides that (it
 * must point at a `data` directory, the one holding `api/` and `event-schemas/`).
 *
 * How it works:
 * - The route table is built on first use by parsing every
 *   `api/client-server/*.yaml` (and nothing else). Each operation's full path
 *   template is the file's `servers[0].variables.basePath.default` followed by
 *   the path key.
 * - A concrete URL is matched segment by segment; `{param}` matches one
 *   non-empty segment, except that a param in the last segment may also match
 *   an empty segment (`.../state/m.room.name/` with an empty state key). When
 *   nothing matches, the URL is retried with a trailing slash, since the spec
 *   makes that slash optional for an empty state key. `/_matrix/client/r0/`
 *   (and `/_matrix/media/r0/`) URLs are matched as their `v3` equivalents.
 *   The candidates with the fewest params win; if several templates tie (the
 *   spec documents `GET /_matrix/client/v3/events` twice) the body is valid
 *   when it is valid for any of them.
 * - Response schemas are copied into a JSON-Schema-2020-12-clean form
 *   (OpenAPI-only and `x-*` keywords dropped, `nullable` honoured, `$ref`
 *   siblings kept through `allOf`), and every `$ref` target, in whatever file
 *   and at whatever JSON pointer, is registered with ajv as its own schema with
 *   a generated `$id`; this makes recursive references work and means each
 *   referenced YAML file is parsed once, only when first needed.
 * - Compiled validators are cached per (operation, status).
 */
import assert, { AssertionError } from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The spec data directory: the pinned fixture, unless MATRIX_SPEC_DIR names another. */
export const SPEC_DIR = path.resolve(process.env['MATRIX_SPEC_DIR'] ?? path.join(import.meta.dirname, '../fixtures/matrix-spec/data'));

export type SpecValidationResult = { ok: true } | { ok: false; errors: string; operation: string };

export interface SpecOperation {
  /** Upper-case HTTP method, e.g. `GET`. */
  method: string;
  /** Full path template, e.g. `/_matrix/client/v3/rooms/{roomId}/leave`. */
  template: string;
  /** The defining file, relative to the spec data directory, e.g. `api/client-server/leaving.yaml`. */
  file: string;
}

interface Route extends SpecOperation {
  operationId: string;
  /** Path key exactly as it appears in the file (some have stray whitespace). */
  rawPath: string;
  segments: string[];
  params: number;
  absFile: string;
}

/** Which API's documents a URL is matched against; the client-server API unless a caller says otherwise. */
/** `synapse-admin`: Synapse's admin API (`/_synapse/admin`), which no spec describes: errors are checked for shape only. */
export type SpecApi = 'client-server' | 'server-server' | 'synapse-admin';
const ID_BASE = 'https://matrix-spec.invalid/';
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

// ---------------------------------------------------------------------------
// YAML loading

const fileCache = new Map<string, Json>();

function loadFile(absFile: string): Json {
  let doc = fileCache.get(absFile);
  if (doc === undefined) {
    doc = parseYaml(readFileSync(absFile, 'utf8')) as Json;
    fileCache.set(absFile, doc);
  }
  return doc;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function relFile(absFile: string): string {
  return path.relative(SPEC_DIR, absFile).split(path.sep).join('/');
}

/** Resolve an RFC 6901 JSON pointer ('' or '/a/b') inside `doc`. */
function resolvePointer(doc: Json, pointer: string, where: string): Json {
  if (pointer === '' || pointer === '/') return doc;
  let cur: Json | undefined = doc;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(token)];
    else if (isObject(cur)) cur = cur[token];
    else cur = undefined;
    if (cur === undefined) throw new Error(`spec-schema: cannot resolve ${where}`);
  }
  return cur;
}

/** Split a `$ref` into the absolute file it points at and a JSON pointer. */
function splitRef(ref: string, fromFile: string): { file: string; pointer: string } {
  const hash = ref.indexOf('#');
  const filePart = hash === -1 ? ref : ref.slice(0, hash);
  const pointer = hash === -1 ? '' : ref.slice(hash + 1);
  if (/^[a-z][a-z0-9+.-]*:/i.test(filePart)) {
    throw new Error(`spec-schema: remote $ref not supported: ${ref} (in ${relFile(fromFile)})`);
  }
  const file = filePart === '' ? fromFile : path.resolve(path.dirname(fromFile), filePart);
  return { file, pointer };
}

/** Follow `$ref`s on non-schema OpenAPI objects (responses, media types). */
function deref(node: Json | undefined, file: string): { node: Json | undefined; file: string } {
  const seen = new Set<string>();
  while (isObject(node) && typeof node['$ref'] === 'string') {
    const target = splitRef(node['$ref'], file);
    const key = `${target.file}#${target.pointer}`;
    if (seen.has(key)) throw new Error(`spec-schema: $ref cycle at ${key}`);
    seen.add(key);
    node = resolvePointer(loadFile(target.file), target.pointer, key);
    file = target.file;
  }
  return { node, file };
}

// ---------------------------------------------------------------------------
// Route table

const routeTables = new Map<SpecApi, Route[]>();

function basePathOf(doc: JsonObject, file: string): string {
  const servers = doc['servers'];
  const server = Array.isArray(servers) ? servers[0] : undefined;
  if (!isObject(server) || typeof server['url'] !== 'string') {
    throw new Error(`spec-schema: ${relFile(file)} has no servers entry`);
  }
  const vars = isObject(server['variables']) ? server['variables'] : {};
  // Substitute the variables' defaults, then drop the scheme and host.
  const url = server['url'].replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = vars[name];
    return isObject(v) && typeof v['default'] === 'string' ? v['default'] : '';
  });
  const pathPart = url.replace(/^[a-z]+:\/\/[^/]*/i, '');
  return pathPart.replace(/\/+$/, '');
}

function loadRoutes(api: SpecApi = 'client-server'): Route[] {
  const known = routeTables.get(api);
  if (known) return known;
  const out: Route[] = [];
  const apiDir = path.join(SPEC_DIR, 'api', api);
  const files = readdirSync(apiDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  for (const name of files) {
    const absFile = path.join(apiDir, name);
    const doc = loadFile(absFile);
    if (!isObject(doc) || !isObject(doc['paths'])) continue;
    const base = basePathOf(doc, absFile);
    for (const [rawPath, item] of Object.entries(doc['paths'])) {
      if (!isObject(item)) continue;
      // peeking_events.yaml spells its path "/events " (with a trailing space)
      // so that it does not clash with old_sync.yaml's "/events".
      const template = base + rawPath.trim();
      const segments = template.split('/').slice(1);
      const params = segments.filter((s) => /^\{[^}]+\}$/.test(s)).length;
      for (const [method, op] of Object.entries(item)) {
        if (!HTTP_METHODS.has(method) || !isObject(op)) continue;
        out.push({
          method: method.toUpperCase(),
          template,
          file: relFile(absFile),
          operationId: typeof op['operationId'] === 'string' ? op['operationId'] : `${method} ${template}`,
          rawPath,
          segments,
          params,
          absFile,
        });
      }
    }
  }
  routeTables.set(api, out);
  return out;
}

/** Every operation of the client-server API, with full path templates. */
export function specOperations(): SpecOperation[] {
  return loadRoutes().map(({ method, template, file }) => ({ method, template, file }));
}

function normalisePath(url: string): string {
  let p = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, ''); // absolute URL -> path
  p = p.replace(/[?#].*$/, '');
  if (!p.startsWith('/')) p = `/${p}`;
  return p.replace(/^\/_matrix\/(client|media)\/r0(?=\/|$)/, '/_matrix/$1/v3');
}

function segmentMatches(tpl: string, seg: string, last: boolean): boolean {
  if (/^\{[^}]+\}$/.test(tpl)) return seg !== '' || last;
  if (!tpl.includes('{')) return tpl === seg || safeDecode(seg) === tpl;
  // A segment mixing literal text and params (none today, but be safe).
  const re = new RegExp(
    `^${tpl
      .split(/(\{[^}]+\})/)
      .map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );
  return re.test(seg);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function matchRoutes(method: string, url: string, api: SpecApi): Route[] {
  const m = method.toUpperCase();
  const find = (p: string): Route[] => {
    const segs = p.split('/').slice(1);
    const hits = loadRoutes(api).filter(
      (r) =>
        r.method === m &&
        r.segments.length === segs.length &&
        r.segments.every((t, i) => segmentMatches(t, segs[i] ?? '', i === segs.length - 1)),
    );
    if (hits.length === 0) return hits;
    const fewest = Math.min(...hits.map((r) => r.params));
    return hits.filter((r) => r.params === fewest);
  };
  const p = normalisePath(url);
  const hits = find(p);
  // "When an empty string, the trailing slash on this endpoint is optional."
  if (hits.length === 0 && !p.endsWith('/')) return find(`${p}/`);
  return hits;
}

// ---------------------------------------------------------------------------
// Schema preparation and ajv

type AjvInstance = InstanceType<typeof Ajv2020Module.default>;
let ajvInstance: AjvInstance | undefined;
const registered = new Set<string>();

function getAjv(): AjvInstance {
  if (ajvInstance) return ajvInstance;
  const ajv = new Ajv2020Module.default({
    strict: false,
    allErrors: true,
    validateSchema: false,
    logger: false,
  });
  addFormatsModule.default(ajv);
  // Matrix string formats (data/string-formats.yaml). The spec only hints at
  // these (its regexes are commented out); check the sigils / alphabets.
  const formats: Record<string, RegExp | true> = {
    'mx-user-id': /^@/,
    'mx-room-id': /^!/,
    'mx-event-id': /^\$/,
    'mx-room-alias': /^#/,
    'mx-mxc-uri': /^mxc:\/\//,
    'mx-server-name': true,
    'mx-unpadded-base64': /^[A-Za-z0-9+/]*$/,
    'mx-urlsafe-unpadded-base64': /^[A-Za-z0-9_-]*$/,
  };
  for (const [name, re] of Object.entries(formats)) ajv.addFormat(name, re);
  ajvInstance = ajv;
  return ajv;
}

function schemaIdFor(file: string, pointer: string): string {
  const rel = relFile(file).split('/').map(encodeURIComponent).join('/');
  if (pointer === '' || pointer === '/') return ID_BASE + rel;
  const tokens = pointer.replace(/^\//, '').split('/').map((t) => encodeURIComponent(safeDecode(t)));
  return `${ID_BASE}${rel}/%23/${tokens.join('/')}`;
}

/** Make sure the schema at file#pointer is known to ajv; returns its $id. */
function ensureRegistered(file: string, pointer: string): string {
  const id = schemaIdFor(file, pointer);
  if (registered.has(id)) return id;
  registered.add(id); // before preparing: the cycle guard for recursive refs
  const target = resolvePointer(loadFile(file), pointer, `${relFile(file)}#${pointer}`);
  const prepared = prepareSchema(target, file);
  const schema = typeof prepared === 'boolean' ? (prepared ? {} : { not: {} }) : prepared;
  getAjv().addSchema({ ...(schema as JsonObject), $id: id });
  return id;
}

/** Keywords whose value is a map of name -> schema. */
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is a schema. */
const SCHEMA_KEYWORDS = new Set([
  'additionalProperties',
  'additionalItems',
  'items',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contentSchema',
]);
/** Keywords whose value is an array of schemas. */
const SCHEMA_ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** OpenAPI-only / annotation keywords ajv should never see. */
const DROPPED_KEYWORDS = new Set([
  'example',
  'discriminator',
  'xml',
  'externalDocs',
  '$schema',
  '$id',
  'id',
  'nullable',
  '$comment',
]);

/**
 * Copy a schema into something ajv (2020-12 dialect) compiles cleanly. Every
 * `$ref` is rewritten to the generated $id of its (registered) target.
 *
 * ONE_OF: `oneOf` is checked as `anyOf`. matrix-spec uses it for "one of these
 * shapes", and every use but one has disjoint alternatives (string or object,
 * a room ID `^!` or an alias `^#`), where the two are the same. The exception,
 * the 200 of GET /rooms/{roomId}/state/{eventType}/{stateKey}, is
 * `oneOf: [{type: object}, StateEvent]`: a whole event (`?format=event`) is
 * also an object, matches both, and would always be rejected.
 */
function prepareSchema(node: Json, file: string): Json {
  if (typeof node === 'boolean') return node;
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  let ref: string | undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || DROPPED_KEYWORDS.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') {
      const target = splitRef(value, file);
      ref = ensureRegistered(target.file, target.pointer);
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepareSchema(v, file)]));
    } else if (key === 'oneOf' && Array.isArray(value)) {
      // Checked as anyOf: see ONE_OF below.
      out['anyOf'] = value.map((v) => prepareSchema(v, file));
    } else if (SCHEMA_ARRAY_KEYWORDS.has(key) && Array.isArray(value)) {
      out[key] = value.map((v) => prepareSchema(v, file));
    } else if (key === 'items' && Array.isArray(value)) {
      out['prefixItems'] = value.map((v) => prepareSchema(v, file)); // draft-04 tuple form
    } else if (SCHEMA_KEYWORDS.has(key)) {
      out[key] = prepareSchema(value, file);
    } else if (key === 'required' && !Array.isArray(value)) {
      continue; // `required: true` is OpenAPI-parameter style, not JSON Schema
    } else {
      out[key] = value;
    }
  }
  if (ref !== undefined) {
    // Keep $ref siblings meaningful whatever the dialect: AND them together.
    const siblings = Object.keys(out).length > 0;
    if (!siblings) return { $ref: ref };
    const allOf = Array.isArray(out['allOf']) ? out['allOf'] : [];
    out['allOf'] = [{ $ref: ref }, ...allOf];
  }
  if (node['nullable'] === true) {
    // OpenAPI 3.0 style; 3.1 uses type: [..., "null"]. Not used by v1.19.
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

// ---------------------------------------------------------------------------
// Validation

interface ResponseSchema {
  /** undefined when the status is documented but has no JSON body schema. */
  validate: ValidateFunction | undefined;
}

const validatorCache = new Map<string, ResponseSchema | null>();

function describe(route: Route): string {
  return `${route.operationId} (${route.method} ${route.template}, ${route.file})`;
}

function responseSchemaFor(route: Route, status: number): ResponseSchema | null {
  const cacheKey = `${route.file}|${route.method}|${route.rawPath}|${status}`;
  const cached = validatorCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const doc = loadFile(route.absFile);
  const op = resolvePointer(
    doc,
    `/paths/${route.rawPath.replace(/~/g, '~0').replace(/\//g, '~1')}/${route.method.toLowerCase()}`,
    describe(route),
  );
  const responses = isObject(op) && isObject(op['responses']) ? op['responses'] : {};
  const code = String(status);
  const raw = responses[code] ?? responses[`${code[0]}XX`] ?? responses[`${code[0]}xx`] ?? responses['default'];
  let result: ResponseSchema | null = null;
  if (raw !== undefined) {
    const { node: response, file } = deref(raw, route.absFile);
    const content = isObject(response) && isObject(response['content']) ? response['content'] : {};
    const jsonType = Object.keys(content).find((ct) => /^application\/(.+\+)?json\b/.test(ct));
    const media = jsonType === undefined ? undefined : deref(content[jsonType], file);
    const schema = media && isObject(media.node) ? media.node['schema'] : undefined;
    if (schema === undefined || media === undefined) {
      result = { validate: undefined };
    } else {
      const prepared = prepareSchema(schema, media.file);
      result = { validate: getAjv().compile(typeof prepared === 'boolean' ? prepared : (prepared as object)) };
    }
  }
  validatorCache.set(cacheKey, result);
  return result;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid';
  return errors
    .map((e) => {
      const where = e.instancePath === '' ? 'body' : `body${e.instancePath}`;
      const extra =
        e.keyword === 'additionalProperties' || e.keyword === 'enum' || e.keyword === 'const'
          ? ` ${JSON.stringify(e.params)}`
          : '';
      return `${where} ${e.message ?? e.keyword}${extra} (schema ${e.schemaPath})`;
    })
    .join('\n');
}

type Validation = { ok: true; route: Route; hasSchema: boolean } | { ok: false; errors: string; operation: string };

function validate(req: { method: string; url: string; status: number; body: unknown }, api: SpecApi = 'client-server'): Validation {
  const candidates = matchRoutes(req.method, req.url, api);
  if (candidates.length === 0) {
    return {
      ok: false,
      operation: `${req.method.toUpperCase()} ${normalisePath(req.url)}`,
      errors: `no operation in the ${api} spec matches ${req.method.toUpperCase()} ${req.url}`,
    };
  }
  const failures: string[] = [];
  for (const route of candidates) {
    const schema = responseSchemaFor(route, req.status);
    if (schema === null) {
      const doc = loadFile(route.absFile);
      const item = isObject(doc) && isObject(doc['paths']) ? doc['paths'][route.rawPath] : undefined;
      const op = isObject(item) ? item[route.method.toLowerCase()] : undefined;
      const documented = isObject(op) && isObject(op['responses']) ? Object.keys(op['responses']).join(', ') : '';
      failures.push(`status ${req.status} is undocumented for ${describe(route)}; documented: ${documented}`);
      continue;
    }
    if (schema.validate === undefined) return { ok: true, route, hasSchema: false };
    if (schema.validate(req.body)) return { ok: true, route, hasSchema: true };
    failures.push(
      `${candidates.length > 1 ? `against ${describe(route)}:\n` : ''}${formatErrors(schema.validate.errors)}`,
    );
  }
  return {
    ok: false,
    operation: candidates.map(describe).join(' | '),
    errors: failures.join('\n'),
  };
}

/**
 * Validate one response body against the spec. `url` is the request URL as
 * sent (query string allowed); `method` is case-insensitive.
 */
export function validateAgainstSpec(req: {
  method: string;
  url: string;
  status: number;
  body: unknown;
}): SpecValidationResult {
  const result = validate(req);
  return result.ok ? { ok: true } : result;
}

// ---------------------------------------------------------------------------
// Coverage recording

/**
 * One line of a coverage file: a response that validated against the spec in
 * assertSpecResponse or assertMatrixError.
 */
export interface SpecCoverageRecord {
  /** `METHOD template`, e.g. `POST /_matrix/client/v3/rooms/{roomId}/leave` (r0 URLs are recorded as v3). */
  operation: string;
  status: number;
  /** false when the spec documents the status without a JSON body schema (nothing was checked). */
  schema: boolean;
  /** The test file of the process (process.argv[1]), relative to the repository when inside it. */
  file: string;
}

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const recorded = new Set<string>();

/**
 * When HEARTH_SPEC_COVERAGE_DIR is set, append a validated response's
 * operation to `<dir>/<pid>.jsonl` (once per operation, status and process).
 * test/spec-coverage/coverage.check.ts reads these files.
 */
function recordCoverage(route: Route, status: number, schema: boolean): void {
  const dir = process.env['HEARTH_SPEC_COVERAGE_DIR'];
  if (!dir) return;
  const operation = `${route.method} ${route.template}`;
  const key = `${operation} ${status} ${schema}`;
  if (recorded.has(key)) return;
  recorded.add(key);
  const script = process.argv[1] ?? '';
  const rel = path.relative(REPO_ROOT, script);
  const file = script === '' || rel.startsWith('..') || path.isAbsolute(rel) ? script : rel.split(path.sep).join('/');
  const record: SpecCoverageRecord = { operation, status, schema, file };
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(dir, `${process.pid}.jsonl`), `${JSON.stringify(record)}\n`);
}

/**
 * The spec operation a served route corresponds to, or undefined when the
 * client-server spec has none. `routePath` is a Fastify-style pattern
 * (`/_matrix/client/r0/rooms/:roomId/state/:eventType/`); r0 maps to v3, a
 * `:param` segment only matches a `{param}` segment of the spec, a literal
 * segment matches the same literal or a `{param}`, and the template with the
 * fewest params wins.
 */
export function specOperationForRoute(method: string, routePath: string): SpecOperation | undefined {
  const m = method.toUpperCase();
  const find = (p: string): Route[] => {
    const segs = p.split('/').slice(1);
    return loadRoutes().filter(
      (r) =>
        r.method === m &&
        r.segments.length === segs.length &&
        r.segments.every((t, i) => {
          const seg = segs[i] ?? '';
          const tplParam = /^\{[^}]+\}$/.test(t);
          if (seg.startsWith(':')) return tplParam;
          // The spec's optional trailing slash: an empty last segment is an empty {stateKey}.
          if (seg === '' && i === segs.length - 1) return tplParam || t === '';
          // A literal segment may fill a spec param (`/profile/{userId}/{keyName}`).
          return tplParam || t === seg;
        }),
    );
  };
  const p = normalisePath(routePath);
  let hits = find(p);
  if (hits.length === 0 && !p.endsWith('/')) hits = find(`${p}/`);
  // As for URLs: the most specific template (fewest params) wins.
  const route = hits.sort((a, b) => a.params - b.params)[0];
  return route ? { method: route.method, template: route.template, file: route.file } : undefined;
}

/**
 * Assert that `value` is valid against one schema of the spec, named by its
 * file under the spec's data directory and an optional JSON pointer, e.g.
 * `event-schemas/schema/core-event-schema/state_event.yaml` or
 * `api/client-server/definitions/client_event.yaml#/properties/unsigned`.
 * For bodies whose operation schema says little (GET /state/{eventType}/{stateKey}
 * accepts any object).
 */
export function assertSpecSchema(value: unknown, ref: string): void {
  const hash = ref.indexOf('#');
  const file = path.join(SPEC_DIR, hash === -1 ? ref : ref.slice(0, hash));
  const id = ensureRegistered(file, hash === -1 ? '' : ref.slice(hash + 1));
  const validateFn = getAjv().getSchema(id);
  assert.ok(validateFn, `spec-schema: no schema at ${ref}`);
  if (validateFn(value)) return;
  const shown = JSON.stringify(value);
  throw new AssertionError({
    message: `value does not match ${ref}\n${formatErrors(validateFn.errors)}\nvalue: ${shown === undefined ? '(none)' : shown.length > 2000 ? `${shown.slice(0, 2000)}…` : shown}`,
    actual: value,
    expected: ref,
    operator: 'assertSpecSchema',
  });
}

type InjectLike = { statusCode: number; json(): unknown } | { statusCode: number; body: string };

/**
 * Assert that a fastify `inject()` response conforms to the spec. Throws an
 * AssertionError naming the operation and listing the ajv errors.
 */
export function assertSpecResponse(res: InjectLike, method: string, url: string, api: SpecApi = 'client-server'): void {
  let body: unknown;
  if ('body' in res && typeof res.body === 'string') {
    if (res.body === '') body = undefined;
    else {
      try {
        body = JSON.parse(res.body) as unknown;
      } catch {
        body = res.body; // not JSON: let the schema (if any) reject it
      }
    }
  } else if ('json' in res && typeof res.json === 'function') {
    body = res.json();
  }
  const result = validate({ method, url, status: res.statusCode, body }, api);
  if (result.ok) {
    recordCoverage(result.route, res.statusCode, result.hasSchema);
    return;
  }
  const shown = JSON.stringify(body);
  throw new AssertionError({
    message:
      `${method.toUpperCase()} ${url} -> ${res.statusCode} does not match the spec\n` +
      `operation: ${result.operation}\n${result.errors}\n` +
      `body: ${shown === undefined ? '(none)' : shown.length > 2000 ? `${shown.slice(0, 2000)}…` : shown}`,
    actual: body,
    expected: result.operation,
    operator: 'validateAgainstSpec',
  });
}

/**
 * For tests that want to be sure every documented response schema compiles:
 * compiles the validator of every (operation, status) pair and returns them.
 */
export function compileAllResponseSchemas(): Array<{ operation: string; status: string; hasSchema: boolean }> {
  const out: Array<{ operation: string; status: string; hasSchema: boolean }> = [];
  for (const route of loadRoutes()) {
    const doc = loadFile(route.absFile);
    const item = isObject(doc) && isObject(doc['paths']) ? doc['paths'][route.rawPath] : undefined;
    const op = isObject(item) ? item[route.method.toLowerCase()] : undefined;
    const responses = isObject(op) && isObject(op['responses']) ? op['responses'] : {};
    for (const status of Object.keys(responses)) {
      if (!/^\d{3}$/.test(status)) continue;
      const schema = responseSchemaFor(route, Number(status));
      assert.ok(schema, `${describe(route)} ${status}`);
      out.push({ operation: describe(route), status, hasSchema: schema.validate !== undefined });
    }
  }
  return out;
}

/**
 * A Matrix error: status, a JSON content type, errcode and a string `error`; the body is also
 * checked against the spec's schema whenever the spec documents that status for the operation
 * (otherwise it must still be the standard error object). Returns the body.
 */
export function assertMatrixError(
  res: { statusCode: number; headers: Record<string, unknown>; body: string; json(): unknown },
  status: number, errcode: string, method: string, url: string, api: SpecApi = 'client-server',
): { errcode: string; error: string } {
  assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, `${method} ${url}: content type`);
  const body = res.json() as { errcode: string; error: string };
  assert.equal(body.errcode, errcode, `${method} ${url}: ${res.body}`);
  assert.equal(typeof body.error, 'string', `${method} ${url}: error text`);
  if (api === 'synapse-admin') return body;
  // Synapse's admin API is in no Matrix spec: there is no schema to check the answer against.
  if (url.startsWith('/_synapse/admin/')) return body;
  const checked = validate({ method, url, status, body }, api);
  if (checked.ok) recordCoverage(checked.route, status, checked.hasSchema);
  else if (!/is undocumented/.test(checked.errors)) assertSpecResponse(res as never, method, url, api);
  return body;
}
