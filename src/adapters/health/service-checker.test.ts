import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import type { ServiceDeclaration } from '../../core/ports.ts';
import { createServiceChecker } from './service-checker.ts';

const checker = createServiceChecker();
const check = (kind: ServiceDeclaration['kind'], target: string, timeoutMs = 2_000) =>
  checker.check({ name: 'svc', kind, target }, { timeoutMs });

let server: Server;
let base = '';
let closedPort = 0;
let lastAuthorization: string | undefined;

/** A port nothing listens on: bind one, note it, close it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    lastAuthorization = req.headers.authorization;
    if (req.url === '/ok') res.writeHead(200).end('fine');
    else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
    else if (req.url === '/slow')
      return; // never answers
    else if (req.url === '/error-page') res.writeHead(200).end('<h1>Something went wrong</h1>');
    else if (req.url === '/app') res.writeHead(200).end('<h1>Inventory</h1>');
    else res.writeHead(500).end('broken');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  closedPort = await freePort();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createServiceChecker — http', () => {
  it('reports a 200 answer as healthy with its status and a measured latency', async () => {
    const result = await check('http', `${base}/ok`);
    expect(result).toMatchObject({ healthy: true, detail: 'HTTP 200' });
    expect(result.latencyMs).toBeGreaterThan(0);
  });

  it('reports a 500 answer as unhealthy', async () => {
    expect(await check('http', `${base}/fail`)).toMatchObject({
      healthy: false,
      detail: 'HTTP 500 (expected below 400)',
      failure: 'http_status',
      statusCode: 500,
    });
  });

  it('does not follow redirects and counts a 3xx as healthy', async () => {
    expect(await check('http', `${base}/moved`)).toMatchObject({ healthy: true, detail: 'HTTP 302' });
  });

  it('sends URL credentials as Basic auth and never shows them in the detail', async () => {
    const result = await check('http', `http://admin:hunter2secret@127.0.0.1:${new URL(base).port}/ok`);
    expect(result).toMatchObject({ healthy: true, detail: 'HTTP 200' });
    expect(lastAuthorization).toBe(`Basic ${Buffer.from('admin:hunter2secret').toString('base64')}`);
  });

  it('reports a server that does not answer in time as unhealthy, at the deadline', async () => {
    const result = await check('http', `${base}/slow`, 300);
    expect(result).toMatchObject({
      healthy: false,
      detail: 'no answer within 300 ms',
      failure: 'timeout',
      reachable: false,
    });
    expect(result.latencyMs).toBeLessThan(1_500);
  });

  it('reports a closed port as unhealthy with connection refused', async () => {
    expect(await check('http', `http://127.0.0.1:${closedPort}/`)).toMatchObject({
      healthy: false,
      detail: 'connection refused',
      failure: 'unreachable',
      reachable: false,
    });
  });
});

describe('createServiceChecker — http expectations', () => {
  const expecting = (path: string, check: ServiceDeclaration['check'], app?: ServiceDeclaration['app']) =>
    createServiceChecker({ env: (name) => (name === 'WEB_PASSWORD' ? 'web-pw-31kz9' : undefined) }).check(
      { name: 'web', kind: 'http', target: `${base}${path}`, ...(check ? { check } : {}), ...(app ? { app } : {}) },
      { timeoutMs: 2_000 },
    );

  it('reports a 200 carrying an error page as body_mismatch when the body must contain a text', async () => {
    expect(await expecting('/error-page', { body: 'Inventory' })).toMatchObject({
      healthy: false,
      reachable: true,
      failure: 'body_mismatch',
      statusCode: 200,
      detail: 'HTTP 200 but the body does not contain "Inventory"',
    });
  });

  it('is healthy when the body contains the expected text', async () => {
    expect(await expecting('/app', { body: 'Inventory' })).toMatchObject({ healthy: true, statusCode: 200 });
  });

  it('reports a status other than the expected one as http_status, even a 2xx', async () => {
    expect(await expecting('/app', { status: 204 })).toMatchObject({
      healthy: false,
      failure: 'http_status',
      statusCode: 200,
    });
    expect(await expecting('/moved', { status: 302 })).toMatchObject({ healthy: true, statusCode: 302 });
  });

  it('sends the app credentials as Basic auth, reads the password by reference and never shows it', async () => {
    const result = await expecting('/fail', undefined, { user: 'shop', password: { env: 'WEB_PASSWORD' } });
    expect(lastAuthorization).toBe(`Basic ${Buffer.from('shop:web-pw-31kz9').toString('base64')}`);
    expect(result).toMatchObject({ healthy: false, asApp: true, failure: 'http_status' });
    expect(JSON.stringify(result)).not.toContain('web-pw-31kz9');
  });

  it('fails with CONFIG_INVALID naming the file when the password file cannot be read', async () => {
    await expect(
      expecting('/app', undefined, { user: 'shop', password: { file: '/nonexistent/twisterlab-secret' } }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('/nonexistent/twisterlab-secret (ENOENT)'),
    });
  });
});

describe('createServiceChecker — tcp', () => {
  it('is healthy when the port accepts a connection', async () => {
    expect(await check('tcp', `127.0.0.1:${new URL(base).port}`)).toMatchObject({ healthy: true });
  });

  it('is unhealthy when the port is closed', async () => {
    expect(await check('tcp', `127.0.0.1:${closedPort}`)).toMatchObject({
      healthy: false,
      detail: 'connection refused',
    });
  });

  it('fails with SERVICE_CHECK_FAILED when the target is not host:port', async () => {
    await expect(check('tcp', 'localhost')).rejects.toMatchObject({ code: 'SERVICE_CHECK_FAILED' });
  });
});

describe('createServiceChecker — postgres', () => {
  it("is healthy when SELECT 1 answers as the URL's role, which is not the app's", async () => {
    expect(await check('postgres', 'postgres://postgres@127.0.0.1:5432/test')).toMatchObject({
      healthy: true,
      detail: 'SELECT 1 ok as role postgres',
      reachable: true,
      asApp: false,
    });
  });

  it('is unhealthy, fast, when nothing listens on the port', async () => {
    const result = await check('postgres', `postgres://postgres:pgsecret99@127.0.0.1:${closedPort}/test`);
    expect(result).toMatchObject({ healthy: false, detail: 'connection refused' });
    expect(result.latencyMs).toBeLessThan(1_000);
  });

  it('is unhealthy when the database does not exist, with the server reason and no credentials', async () => {
    const result = await check('postgres', 'postgres://postgres:pgsecret99@127.0.0.1:5432/no_such_db_xyz');
    expect(result.healthy).toBe(false);
    expect(result.detail).toContain('no_such_db_xyz');
    expect(result.detail).not.toContain('pgsecret99');
  });
});

describe('createServiceChecker — redis', () => {
  it('is healthy when a probe key can be written and deleted', async () => {
    expect(await check('redis', 'redis://127.0.0.1:6379')).toMatchObject({
      healthy: true,
      detail: "write and delete of a probe key ok as the URL's user",
      reachable: true,
      asApp: false,
    });
  });

  it('is unhealthy, fast, when nothing listens on the port', async () => {
    const result = await check('redis', `redis://127.0.0.1:${closedPort}`);
    expect(result.healthy).toBe(false);
    expect(result.detail).toBe('connection refused');
    expect(result.latencyMs).toBeLessThan(1_000);
  });
});

describe('createServiceChecker — cancellation', () => {
  it('fails with CAPABILITY_ABORTED when the caller cancels', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const pending = checker.check(
      { name: 'slow', kind: 'http', target: `${base}/slow` },
      { timeoutMs: 5_000, signal: controller.signal },
    );
    await expect(pending).rejects.toMatchObject({ code: 'CAPABILITY_ABORTED' });
  });
});
