import type { FastifyInstance } from 'fastify';

/**
 * Remembers every route's method and URL pattern, so that an unknown method on a known path is
 * answered 405 (not 404), as the spec requires.
 */
export function trackRoutes(app: FastifyInstance): (url: string) => string[] {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const source = route.url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ pattern: new RegExp(`^${source}$`), methods: methods.map(String) });
  });
  return (url) => {
    let path: string;
    try {
      path = decodeURI(url);
    } catch {
      path = url;
    }
    const allowed = new Set<string>();
    for (const r of routes) if (r.pattern.test(path) || r.pattern.test(url)) r.methods.forEach((m) => allowed.add(m));
    allowed.delete('HEAD');
    return [...allowed];
  };
}
