// The web console: the static build of src/web (vite, into dist/web) served at `/`, its client-side pages
// (`/tickets/<id>`, `/approvals`, …) answered with the same index.html, assets from /assets only. Every page
// goes out with a strict Content-Security-Policy: scripts and styles from this server only, nothing inline, no
// framing. Only the console's own paths are routed here, so /api, /docs, /mcp, /health and /metrics are never
// shadowed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { TwisterError } from '../../core/errors.ts';

export interface ConsoleOptions {
  /** The vite build's output folder (index.html and assets/). */
  dir: string;
}

/** The client-side pages: each answers the console's index.html, the page is chosen in the browser. */
export const CONSOLE_PAGES = [
  '/',
  '/tickets/:id',
  '/approvals',
  '/runbooks',
  '/runbooks/:id',
  '/devices',
  '/overview',
  '/signin',
];

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

function secureHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR')
      return null;
    throw err;
  }
}

export function consolePlugin(options: ConsoleOptions): FastifyPluginAsync {
  return async (app) => {
    const index = path.join(options.dir, 'index.html');
    for (const url of CONSOLE_PAGES) {
      app.get(url, { config: { publicRoute: true }, schema: { hide: true } }, async (_request, reply) => {
        const html = await readOrNull(index);
        if (!html) throw new TwisterError('NOT_FOUND', 'the web console is not built: run `npm run build`');
        return secureHeaders(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
      });
    }
    app.get<{ Params: { name: string } }>(
      '/assets/:name',
      { config: { publicRoute: true }, schema: { hide: true } },
      async (request, reply) => {
        const { name } = request.params;
        const type = TYPES[path.extname(name)];
        const body = ASSET_NAME.test(name) && type ? await readOrNull(path.join(options.dir, 'assets', name)) : null;
        if (!body) throw new TwisterError('NOT_FOUND', `no console asset ${name.slice(0, 200)}`);
        // Built assets carry a content hash in their names: a new build gets new names.
        return secureHeaders(reply)
          .header('cache-control', 'public, max-age=31536000, immutable')
          .type(type!)
          .send(body);
      },
    );
  };
}
