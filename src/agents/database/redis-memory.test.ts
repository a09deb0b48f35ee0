// database.redis_memory_usage on real Redis servers: the shared one (no maxmemory), and one of our own with a
// small maxmemory, an eviction policy, a password and CONFIG renamed away, filled until it evicts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { parseServiceDeclarations } from '../../core/service-declarations.ts';
import { createDatabaseAgent } from './database-agent.ts';

const PASSWORD = 'redis-pw-never-shown-0815';
const prefix = `dbagent:${randomBytes(4).toString('hex')}:`;
let shared: Redis;
let own: Redis;
let ownServer: ChildProcess;
let ownPort: number;
let registry: CapabilityRegistry;

interface Result {
  ok: boolean;
  output?: any;
  error?: { code: string; message: string };
}
const memory = async (service: string): Promise<Result> =>
  (await registry.invoke('database.redis_memory_usage', { service_name: service }, { actor: 'test' })) as Result;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startOwnRedis(): Promise<void> {
  ownPort = await freePort();
  ownServer = spawn(
    'redis-server',
    [
      '--port',
      String(ownPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory',
      '8mb',
      '--maxmemory-policy',
      'allkeys-lru',
      '--requirepass',
      PASSWORD,
      '--rename-command',
      'CONFIG',
      '',
    ],
    { stdio: 'ignore' },
  );
  ownServer.once('error', (error) => {
    throw error;
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    own = new Redis({
      port: ownPort,
      host: '127.0.0.1',
      password: PASSWORD,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    own.on('error', () => undefined);
    try {
      await own.connect();
      return;
    } catch (error) {
      own.disconnect();
      if (Date.now() > deadline || ownServer.exitCode !== null) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

beforeAll(async () => {
  shared = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await shared.connect();
  await startOwnRedis();
  registry = new CapabilityRegistry({ logger: silentLogger });
  registry.register(
    createDatabaseAgent({
      services: parseServiceDeclarations(
        [
          'cache=redis://127.0.0.1:6379',
          `limited=redis://:${PASSWORD}@127.0.0.1:${ownPort}`,
          `wrong-pw=redis://:not-${PASSWORD}@127.0.0.1:${ownPort}`,
        ].join(','),
      ),
      timeoutMs: 3_000,
    }),
  );
});

afterAll(async () => {
  const keys = await shared.keys(`${prefix}*`);
  if (keys.length > 0) await shared.del(...keys);
  shared.disconnect();
  own?.disconnect();
  if (ownServer && ownServer.exitCode === null) {
    const exited = new Promise((resolve) => ownServer.once('exit', resolve));
    ownServer.kill('SIGTERM');
    await exited;
  }
});

describe('database.redis_memory_usage', () => {
  it('reads the shared server: used memory, no limit (no percent), its policy and at least the keys we wrote', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => shared.set(`${prefix}${i}`, 'x'.repeat(100))));
    const result = await memory('cache');
    expect(result.ok).toBe(true);
    const out = result.output;
    const [, maxmemory] = (await shared.config('GET', 'maxmemory')) as string[];
    const [, policy] = (await shared.config('GET', 'maxmemory-policy')) as string[];
    expect(out.maxmemory_bytes).toBe(Number(maxmemory));
    expect(out.maxmemory_policy).toBe(policy);
    if (Number(maxmemory) === 0) expect(out.used_percent).toBeNull();
    expect(out.used_memory_bytes).toBeGreaterThan(100_000);
    expect(out.fragmentation_ratio).toBeGreaterThan(0);
    expect(out.keys).toBeGreaterThanOrEqual(25);
    expect(out.evicted_keys).toBeGreaterThanOrEqual(0);
  });

  it('reads a limited server that has evicted keys, with its policy from INFO although CONFIG is disabled', async () => {
    await expect(own.config('GET', 'maxmemory')).rejects.toThrow(/unknown command/i);
    const value = 'v'.repeat(1 << 20);
    for (let i = 0; i < 20; i++) await own.set(`big:${i}`, value);
    const keysNow = await own.dbsize();
    const result = await memory('limited');
    expect(result).toMatchObject({
      ok: true,
      output: { maxmemory_bytes: 8 * 1024 * 1024, maxmemory_policy: 'allkeys-lru', keys: keysNow },
    });
    const out = result.output;
    expect(keysNow).toBeLessThan(20);
    expect(out.evicted_keys).toBe(20 - keysNow);
    expect(out.used_percent).toBeCloseTo(Math.round((out.used_memory_bytes / out.maxmemory_bytes) * 1000) / 10, 5);
    expect(out.used_percent).toBeGreaterThan(50);
    expect(out.used_percent).toBeLessThanOrEqual(110);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('reports a refused password as SERVICE_QUERY_FAILED without either password', async () => {
    const result = await memory('wrong-pw');
    expect(result).toMatchObject({ ok: false, error: { code: 'SERVICE_QUERY_FAILED' } });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('leaves no connection of its own open on the server', async () => {
    await memory('limited');
    const deadline = Date.now() + 3_000;
    let clients: string;
    do {
      clients = (await own.client('LIST')) as string;
      if (clients.trim().split('\n').length === 1) break;
      await new Promise((r) => setTimeout(r, 25));
    } while (Date.now() < deadline);
    expect(clients.trim().split('\n')).toHaveLength(1);
  });
});
