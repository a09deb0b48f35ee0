// MCP sessions over real HTTP with the SDK's client: a key past its limit loses its oldest idle session (not
// another key's), and a session left idle is closed after the idle timeout.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const keys = { alice: 'alice-key-0123456789', bob: 'bob-key-0123456789', carol: 'carol-key-0123456789' };
const API_KEYS = `alice:operator:${keys.alice},bob:operator:${keys.bob},carol:viewer:${keys.carol}`;

async function connect(base: string, key: string, clients: Client[]): Promise<{ client: Client; sessionId: string }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: { 'x-api-key': key } },
  });
  const client = new Client({ name: 'twisterlab-sessions-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return { client, sessionId: transport.sessionId! };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`never happened: ${what}`);
}

describe('MCP sessions: per-key limit, oldest idle evicted', () => {
  let t: TestRuntime;
  let base: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTestRuntime('pglite', {
      TWISTERLAB_API_KEYS: API_KEYS,
      TWISTERLAB_MCP_SESSIONS_PER_KEY: '2',
      TWISTERLAB_MCP_MAX_SESSIONS: '4',
    });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => {});
    await t?.close();
  });

  it('closes the oldest session of the key past its limit and leaves other keys alone', async () => {
    const bob = await connect(base, keys.bob, clients);
    const first = await connect(base, keys.alice, clients);
    const second = await connect(base, keys.alice, clients);
    await second.client.listTools();
    const third = await connect(base, keys.alice, clients);

    expect(t.runtime.mcp.http.has(first.sessionId)).toBe(false);
    await expect(first.client.listTools()).rejects.toThrow(/Session not found/);
    expect((await second.client.listTools()).tools.length).toBeGreaterThan(0);
    expect((await third.client.listTools()).tools.length).toBeGreaterThan(0);
    expect((await bob.client.listTools()).tools.length).toBeGreaterThan(0);
    expect(t.runtime.mcp.http.size).toBe(3);
  });

  it('evicts the least recently used session of the key, not the first opened', async () => {
    const [a, b] = [await connect(base, keys.bob, clients), await connect(base, keys.bob, clients)];
    await a.client.listTools(); // a is now the more recently used; bob's earlier session was already evicted
    await connect(base, keys.bob, clients);
    expect(t.runtime.mcp.http.has(b.sessionId)).toBe(false);
    expect(t.runtime.mcp.http.has(a.sessionId)).toBe(true);
    await expect(b.client.listTools()).rejects.toThrow(/Session not found/);
  });

  it('at the global cap, closes the least recently used session of any key instead of refusing', async () => {
    expect(t.runtime.mcp.http.size).toBe(4);
    const alive = clients.slice(-7);
    const victim = alive.find((c) =>
      t.runtime.mcp.http.has((c.transport as StreamableHTTPClientTransport).sessionId!),
    )!;
    for (const c of alive)
      if (c !== victim && t.runtime.mcp.http.has((c.transport as StreamableHTTPClientTransport).sessionId!))
        await c.listTools();
    const carol = await connect(base, keys.carol, clients);
    expect((await carol.client.listTools()).tools.length).toBeGreaterThan(0);
    expect(t.runtime.mcp.http.size).toBe(4);
    await expect(victim.listTools()).rejects.toThrow(/Session not found/);
  });
});

describe('MCP sessions: idle timeout', () => {
  let t: TestRuntime;
  let base: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTestRuntime('pglite', { TWISTERLAB_API_KEYS: API_KEYS, TWISTERLAB_MCP_SESSION_IDLE_MS: '300' });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => {});
    await t?.close();
  });

  it('closes a session left idle past the timeout', async () => {
    const idle = await connect(base, keys.alice, clients);
    expect((await idle.client.listTools()).tools.length).toBeGreaterThan(0);
    await until(() => !t.runtime.mcp.http.has(idle.sessionId), 'the idle session closed');
    await expect(idle.client.listTools()).rejects.toThrow(/Session not found/);
  });
});
