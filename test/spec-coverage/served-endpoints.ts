/**
 * The endpoints Hearth serves, read from the running app's own route tree (as the hostile-input
 * fuzzer does), each mapped to its operation in the client-server spec.
 *
 * - HEAD is left out: Fastify adds it to every GET route and the spec documents no HEAD operation.
 * - `/_matrix/client/r0/...` and `/_matrix/client/v3/...` routes map to the same v3 operation and
 *   count once.
 * - The app is built with metrics on the client listener (the one optional route), so that every
 *   route it can serve is listed.
 */
import { specOperationForRoute } from '../helpers/spec-schema.js';
import { startTestServer } from '../helpers/test-server.js';

export interface ServedRoute {
  method: string;
  /** Fastify's pattern, e.g. `/_matrix/client/r0/rooms/:roomId/leave`. */
  url: string;
}

export interface ServedEndpoint {
  method: string;
  /** The spec's path template (v3), e.g. `/_matrix/client/v3/rooms/{roomId}/leave`. */
  template: string;
  /** The spec file, relative to the spec's data directory, e.g. `api/client-server/leaving.yaml`. */
  file: string;
  /** `METHOD template`: the key coverage records use. */
  operation: string;
  /** Every served route that maps to this operation. */
  routes: string[];
}

export interface ServedEndpoints {
  /** Served routes with an operation in the client-server spec, one entry per operation, sorted. */
  inSpec: ServedEndpoint[];
  /** Served routes the client-server spec does not define (admin APIs, server keys, metrics). */
  notInSpec: ServedRoute[];
}

/** Parses `printRoutes({ commonPrefix: false })`: one node a line, children indented by four columns. */
export function routesOfTree(tree: string): ServedRoute[] {
  const out: ServedRoute[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    stack.length = (m[1] ?? '').length / 4;
    stack.push(m[2] ?? '');
    const methods = (m[3] ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '' && x !== '-');
    for (const method of methods) out.push({ method, url: stack.join('') });
  }
  return out;
}

/** Builds an app (in memory, SQLite), reads its routes and maps them onto the spec. */
export async function servedEndpoints(): Promise<ServedEndpoints> {
  const s = await startTestServer({ config: { metrics: { enabled: true } } });
  let routes: ServedRoute[];
  try {
    routes = routesOfTree(s.app.http.printRoutes({ commonPrefix: false }));
  } finally {
    await s.close();
  }
  const byOperation = new Map<string, ServedEndpoint>();
  const notInSpec: ServedRoute[] = [];
  for (const route of routes) {
    if (route.method === 'HEAD') continue;
    const op = specOperationForRoute(route.method, route.url);
    if (!op) {
      notInSpec.push(route);
      continue;
    }
    const operation = `${op.method} ${op.template}`;
    const known = byOperation.get(operation);
    if (known) known.routes.push(route.url);
    else byOperation.set(operation, { ...op, operation, routes: [route.url] });
  }
  const inSpec = [...byOperation.values()].sort((a, b) => a.template.localeCompare(b.template) || a.method.localeCompare(b.method));
  notInSpec.sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  return { inSpec, notInSpec };
}
