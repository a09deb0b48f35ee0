// DNS rebinding against a keyless instance: every caller is the local admin there, so a request must name the
// instance (localhost, a loopback address, HOST, TWISTERLAB_ALLOWED_HOSTS) in its Host header, and a browser's
// Origin must be one of those too. Over inject() and over a real port with raw requests (no Host at all, HTTP/1.0);
// REST, MCP, the docs and unknown routes alike. An instance with API keys behaves as before.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

let keyless: TestRuntime;
let keyed: TestRuntime;
let port: number;
const KEY = 'host-header-test-key-0123456789';

// Two runtimes start here: room for a loaded machine.
beforeAll(async () => {
  [keyless, keyed] = await Promise.all([
    startTestRuntime('pglite', { TWISTERLAB_ALLOWED_HOSTS: 'console.internal, 10.1.2.3' }),
    startTestRuntime('pglite', { TWISTERLAB_API_KEYS: `ops:admin:${KEY}` }),
  ]);
  const url = await keyless.app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(url).port);
}, 180_000);

afterAll(async () => {
  await keyless?.close();
  await keyed?.close();
});

const PATHS = ['/api/v1/tickets', '/api/v1/agents', '/health', '/metrics', '/docs/json', '/nowhere'];

/** One raw HTTP exchange over a real socket: the status line's code. */
function rawStatus(request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('a keyless instance', () => {
  it('refuses every Host that is not one of its names, on every route, with a clear error', async () => {
    const foreign = [
      'evil.example',
      'evil.example:8000',
      `evil.example:${port}`,
      '127.0.0.1.nip.io',
      `127.0.0.1.nip.io:${port}`,
      'localhost.evil.example',
      'app.localhost',
      '10.0.0.1',
      '0.0.0.0',
      '[::]',
      '[::ffff:127.0.0.1]',
      '0x7f.1',
      '2130706433',
      '127.1',
      'console.internal.evil.example',
      'localhost:0',
      'localhost:99999',
      'localhost:',
      ':8000',
      'localhost:80x',
      'user@localhost',
      'localhost, evil.example',
      ' ',
      'LOCALHOST:8000:1',
    ];
    const admitted: string[] = [];
    for (const host of foreign) {
      for (const path of PATHS) {
        const response = await keyless.app.inject({ method: 'GET', url: path, headers: { host } });
        if (response.statusCode !== 403 || response.json().error.code !== 'HOST_NOT_ALLOWED')
          admitted.push(`${host} ${path} -> ${response.statusCode}`);
      }
    }
    expect(admitted).toEqual([]);
    const refused = await keyless.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { host: 'evil.example:8000' },
      payload: { description: 'x' },
    });
    expect(refused.json()).toEqual({
      error: {
        code: 'HOST_NOT_ALLOWED',
        message: expect.stringMatching(
          /^Host "evil.example:8000": this instance has no API keys.*TWISTERLAB_ALLOWED_HOSTS/,
        ),
      },
    });
  });

  it('refuses an empty Host and a request without one over a real connection', async () => {
    expect(await rawStatus('GET /api/v1/agents HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n')).toBe(403);
    expect(await rawStatus('GET /api/v1/agents HTTP/1.0\r\n\r\n')).toBe(403);
    // Node itself answers an HTTP/1.1 request without Host with 400: refused either way.
    expect(await rawStatus('GET /api/v1/agents HTTP/1.1\r\nConnection: close\r\n\r\n')).toBe(400);
    expect(
      await rawStatus(`GET /api/v1/agents HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`),
    ).toBe(403);
    expect(
      await rawStatus(
        `GET http://localhost:${port}/api/v1/agents HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
      ),
    ).toBe(403);
    expect(await rawStatus(`GET /api/v1/agents HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`)).toBe(
      200,
    );
  });

  it('answers to its own names with any port: localhost, loopback addresses, HOST and TWISTERLAB_ALLOWED_HOSTS', async () => {
    for (const host of [
      'localhost',
      `localhost:${port}`,
      'LOCALHOST.:1',
      '127.0.0.1',
      `127.0.0.1:${port}`,
      '127.0.0.9:8000',
      '[::1]',
      `[::1]:${port}`,
      'console.internal',
      'Console.Internal:443',
      '10.1.2.3:8000',
    ]) {
      const response = await keyless.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { host } });
      expect(response.statusCode, host).toBe(200);
    }
    const ticket = await keyless.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { host: `localhost:${port}` },
      payload: { description: 'printer offline on floor 3', dryRun: true },
    });
    expect(ticket.statusCode).toBeLessThan(300);
  });

  it('decides each Host alike however many it has already answered to', async () => {
    // More own names than it remembers, each followed by a foreign one: the remembered ones never admit a foreign one.
    const answers: string[] = [];
    for (let i = 1; i <= 150; i += 1) {
      for (const host of [`localhost:${i}`, `evil.example:${i}`, `LOCALHOST:${i}`, `localhost:${i}`]) {
        const response = await keyless.app.inject({ method: 'GET', url: '/health', headers: { host } });
        answers.push(`${host} ${response.statusCode}`);
      }
    }
    const expected = Array.from({ length: 150 }, (_, n) => [
      `localhost:${n + 1} 200`,
      `evil.example:${n + 1} 403`,
      `LOCALHOST:${n + 1} 200`,
      `localhost:${n + 1} 200`,
    ]).flat();
    expect(answers).toEqual(expected);
  });

  it('refuses a browser request from a page of another origin, and takes one from its own', async () => {
    for (const origin of [
      'http://evil.example',
      `http://127.0.0.1.nip.io:${port}`,
      'null',
      'file://',
      'chrome-extension://abc',
      'http://localhost.evil.example',
      'not a url',
    ]) {
      const response = await keyless.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: { host: `localhost:${port}`, origin },
        payload: { description: 'x' },
      });
      expect(response.statusCode, origin).toBe(403);
      expect(response.json().error.code, origin).toBe('ORIGIN_NOT_ALLOWED');
    }
    for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`, 'https://console.internal']) {
      expect(
        (
          await keyless.app.inject({
            method: 'GET',
            url: '/api/v1/agents',
            headers: { host: `localhost:${port}`, origin },
          })
        ).statusCode,
        origin,
      ).toBe(200);
    }
  });

  it('guards the MCP endpoint alike', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const payload = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    };
    for (const host of ['evil.example', `127.0.0.1.nip.io:${port}`]) {
      const response = await keyless.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: { ...headers, host },
        payload,
      });
      expect(response.statusCode, host).toBe(403);
      expect(response.json().error.code).toBe('HOST_NOT_ALLOWED');
    }
    const fromPage = await keyless.app.inject({
      method: 'POST',
      url: '/mcp',
      headers: { ...headers, host: `localhost:${port}`, origin: 'http://evil.example' },
      payload,
    });
    expect(fromPage.json().error.code).toBe('ORIGIN_NOT_ALLOWED');
    const own = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', headers, body: JSON.stringify(payload) });
    expect(own.status).toBe(200);
    await own.body?.cancel();
  });
});

describe('an instance with API keys', () => {
  it('serves any Host and Origin as before, keys deciding', async () => {
    const withKey = await keyed.app.inject({
      method: 'GET',
      url: '/api/v1/agents',
      headers: { host: 'twisterlab.example.com', origin: 'https://console.example.com', 'x-api-key': KEY },
    });
    expect(withKey.statusCode).toBe(200);
    expect(
      (await keyed.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { host: 'evil.example' } })).json().error
        .code,
    ).toBe('UNAUTHORIZED');
    expect(
      (await keyed.app.inject({ method: 'GET', url: '/health', headers: { host: '127.0.0.1.nip.io' } })).statusCode,
    ).toBe(200);
  });
});
