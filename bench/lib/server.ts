// The real server process for the benches: the compiled CLI when the bench runs from dist/ (so RSS and speed are
// the production figures, not tsx's), else the TypeScript source through tsx; on a free loopback port, ready once
// /health answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/adapters/package-root.ts';

export interface BenchServer {
  base: string;
  server: ChildProcess;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** `node` arguments that run `twisterlab serve`: compiled when the calling bench (`moduleUrl`) was built. */
export function serveArgs(moduleUrl: string): string[] {
  const compiled = path.join(PACKAGE_ROOT, 'dist/src/main/cli.js');
  return existsSync(compiled) && moduleUrl.includes('/dist/')
    ? [compiled, 'serve']
    : ['--import', 'tsx', 'src/main/cli.ts', 'serve'];
}

/**
 * Starts `twisterlab serve` with `env` over the bench's own environment (LOG_LEVEL warn unless given), `nodeArgs`
 * before the script (V8 flags, --cpu-prof), and waits until /health answers 200.
 */
export async function startBenchServer(options: {
  moduleUrl: string;
  env: Record<string, string>;
  nodeArgs?: string[];
}): Promise<BenchServer> {
  const port = await freePort();
  const server = spawn(process.execPath, [...(options.nodeArgs ?? []), ...serveArgs(options.moduleUrl)], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((r) => server.once('exit', r));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      /* starting */
    }
    if (server.exitCode !== null || i > 3_000) {
      server.kill('SIGKILL');
      throw new Error(
        server.exitCode !== null
          ? `the server exited (${server.exitCode}) while starting`
          : 'server did not start within 5 minutes',
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    server,
    async stop() {
      if (server.exitCode === null) server.kill('SIGTERM');
      await exited;
    },
  };
}
