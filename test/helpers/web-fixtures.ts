// Web servers for the browser tests: a site on 127.0.0.2 (the address the tests allow) and "internal" servers
// on 127.0.0.1 and ::1 on the same port, which count every request that reaches them (it must stay zero).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SITE_HOST = '127.0.0.2';
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface WebFixtures {
  port: number;
  site: string;
  /** Requests that reached an internal server: must stay empty. */
  internalHits: string[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, port: number) => void;

function pageHandler(): Handler {
  const html = (res: ServerResponse, body: string, status = 200) =>
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  return (req, res, port) => {
    const url = new URL(req.url ?? '/', `http://${SITE_HOST}:${port}`);
    const internal = `http://127.0.0.1:${port}`;
    switch (url.pathname) {
      case '/page':
        return html(
          res,
          `<!doctype html><title>Status page</title><body><h1>All systems operational</h1><p>Shop: up</p>
          <div style="display:none">hidden secret words</div><img src="/pixel.png"><img src="${internal}/img">
          <iframe src="http://[::1]:${port}/frame"></iframe><link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/"></body>`,
        );
      case '/pixel.png':
        return res.writeHead(200, { 'content-type': 'image/gif' }).end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
      case '/redirect':
        return res.writeHead(302, { location: url.searchParams.get('to') ?? '/page' }).end();
      case '/loop':
        return res.writeHead(302, { location: '/loop' }).end();
      case '/missing':
        return html(res, '<title>Not here</title><p>No such page</p>', 404);
      case '/big':
        return html(res, `<title>Big</title><body><p>${'é'.repeat(50_000)}</p><p>${'x'.repeat(50_000)}</p></body>`);
      case '/tall':
        return html(res, `<title>Tall</title><body>${'<p>line</p>'.repeat(300)}</body>`);
      case '/endless':
        return html(res, '<title>Endless</title><body><div style="height:5000000px">top</div></body>');
      case '/slow':
        return; // never answers
      case '/gzip': {
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        return void import('node:zlib').then((z) => res.end(z.gzipSync('<title>Zipped</title><p>compressed body</p>')));
      }
      case '/script':
        return html(
          res,
          `<title>Static title</title><body><p id="t">before</p><script>
          document.title = 'Changed by script'; document.getElementById('t').textContent = 'after';
          fetch('${internal}/fetch').catch(() => 0); try { new WebSocket('ws://127.0.0.1:${port}/ws'); } catch (e) {}
          var i = new Image(); i.src = 'http://0x7f.1:${port}/beacon';
        </script></body>`,
        );
      case '/script-navigate':
        return html(res, `<title>Leaving</title><script>location.href = '${internal}/navigated';</script>`);
      case '/rebind':
        return html(res, '<title>Rebind</title><p>first answer</p><img src="/pixel.png">');
      default:
        return html(res, '<title>404</title>', 404);
    }
  };
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Retries until a port is free on all three addresses. */
export async function startWebFixtures(): Promise<WebFixtures> {
  const internalHits: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const handle = pageHandler();
    const site = createServer((req, res) => handle(req, res, port));
    const port = await listen(site, SITE_HOST, 0);
    const internals = ['127.0.0.1', '::1'].map((host) => ({
      host,
      server: createServer((req, res) => {
        internalHits.push(`${host} ${req.url}`);
        res.end('internal secret');
      }),
    }));
    try {
      for (const { server, host } of internals) await listen(server, host, port);
    } catch {
      await Promise.all(
        [site, ...internals.map((i) => i.server)].map((s) => (s.listening ? close(s) : Promise.resolve())),
      );
      continue;
    }
    return {
      port,
      site: `http://${SITE_HOST}:${port}`,
      internalHits,
      close: async () => {
        await Promise.all([site, ...internals.map((i) => i.server)].map(close));
      },
    };
  }
  throw new Error('no port free on 127.0.0.2, 127.0.0.1 and ::1 at once');
}
