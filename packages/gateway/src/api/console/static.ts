// The web console's files (packages/console, built by `npm run build`) at `/`, its view paths
// and /assets/: the page's language from Accept-Language, a strict CSP (no inline script or
// style, nothing from other origins), nosniff. Only files the build wrote are served — the
// list is read once, so no request path ever reaches the filesystem.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_VIEWS } from './views.js';

export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/**
 * The console's routes: the views and the paths below them (/faxes/42, /auditor/log), the
 * login page, and the root (which picks a view). All answer the same page; the console's
 * router draws what the path names.
 */
export const CONSOLE_PAGES = ['/', '/login', ...CONSOLE_VIEWS.flatMap((v) => [`/${v}`, `/${v}/*`])];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** German when the browser prefers it to English, else English (RFC 9110 weights). */
export function pickLanguage(acceptLanguage: string | undefined): 'de' | 'en' {
  let best: { lang: 'de' | 'en'; q: number } | undefined;
  for (const part of (acceptLanguage ?? '').split(',').slice(0, 20)) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const lang = tag.split('-')[0];
    if (lang !== 'de' && lang !== 'en') continue;
    const qp = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'en';
}

/** The console build's folder: packages/console/dist (null when not resolvable). */
export function consoleDist(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('@faxgate/console/package.json');
    return path.join(path.dirname(pkg), 'dist');
  } catch {
    return null;
  }
}

export async function consoleStatic(
  app: FastifyInstance,
  dist: string | null = consoleDist(),
): Promise<void> {
  const index =
    dist && fs.existsSync(path.join(dist, 'index.html'))
      ? fs.readFileSync(path.join(dist, 'index.html'), 'utf8')
      : null;
  const assets = new Map<string, { body: Buffer; type: string }>();
  if (dist && index !== null) {
    const dir = path.join(dist, 'assets');
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const type = TYPES[path.extname(name)];
      if (type) assets.set(name, { body: fs.readFileSync(path.join(dir, name)), type });
    }
  }

  for (const page of CONSOLE_PAGES) {
    app.get(page, { schema: { hide: true } }, async (req, reply) => {
      if (index === null)
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The web console is not built: run npm run build.\n');
      const lang = pickLanguage(req.headers['accept-language']);
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', CONSOLE_CSP)
        .header('content-language', lang)
        .header('vary', 'accept-language')
        .send(index.replace('<html lang="en">', `<html lang="${lang}">`));
    });
  }

  app.get<{ Params: { name: string } }>(
    '/assets/:name',
    {
      schema: {
        hide: true,
        params: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } } },
      },
    },
    async (req, reply) => {
      const file = assets.get(req.params.name);
      if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
      // Names carry a content hash (esbuild), so a browser may keep them.
      return reply
        .type(file.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('content-security-policy', CONSOLE_CSP)
        .send(file.body);
    },
  );
}
