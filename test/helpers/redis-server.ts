// A redis-server of a test's own, on a free loopback port with its own directory, so a test can stop, kill and
// restart it without touching the shared Redis other tests use.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export interface TestRedis {
  url: string;
  port: number;
  /** Starts it again on the same port and directory (with its AOF, when appendonly is on). */
  start(): Promise<void>;
  /** SIGTERM: Redis writes its data out and exits. */
  stop(): Promise<void>;
  /** SIGKILL: gone at once. */
  kill(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output()}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      /* not up yet */
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on ${url}: ${output()}`);
}

/** `args` are extra redis-server options, e.g. ['--maxmemory-policy', 'allkeys-lru']. */
export async function startTestRedis(options: { appendonly?: boolean; args?: string[] } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const persistence = options.appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  let child: ChildProcess | undefined;
  const ended = (c: ChildProcess) =>
    new Promise<void>((resolve) =>
      c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()),
    );

  const start = async () => {
    let output = '';
    const c = spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--dir',
        dir,
        '--save',
        '',
        ...persistence,
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    c.stdout!.on('data', (d) => (output = (output + d).slice(-4000)));
    c.stderr!.on('data', (d) => (output = (output + d).slice(-4000)));
    child = c;
    await waitForPing(url, c, () => output);
  };
  const signal = async (name: NodeJS.Signals) => {
    const c = child;
    if (!c) return;
    child = undefined;
    c.kill(name);
    await ended(c);
  };
  await start();
  return {
    url,
    port,
    start,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    close: async () => {
      await signal('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
