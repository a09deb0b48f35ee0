// bench/ingest: POST /api/v1/tickets at a fixed offered rate (autocannon's overallRate) against the real server
// process, which processes the tickets meanwhile (embedded store by default, PostgreSQL with --backend postgres).
// Prints answered req/s, p50/p99 latency, errors and refusals (429 past the backlog limit), the server's peak RSS
// and how many tickets were processed meanwhile.
//   node --import tsx bench/ingest/run.ts [--rate 500] [--seconds 10] [--backend pglite|postgres] [--backlog 100000]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { PACKAGE_ROOT } from '../../src/adapters/package-root.ts';
import { fmt, rssOf, scratchDatabase } from '../lib/stats.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    backend: { type: 'string', default: 'pglite' },
    // Ids only are held per queued ticket: a limit above rate × seconds keeps the bench about intake, not refusals.
    backlog: { type: 'string', default: '100000' },
  },
});
const ROOT = PACKAGE_ROOT;
// The compiled server when `npm run bench:ingest` built it, so RSS is the production figure, not tsx's.
const compiled = path.join(ROOT, 'dist/src/main/cli.js');
const serverArgs = existsSync(compiled) && import.meta.url.includes('/dist/') ? [compiled, 'serve'] : ['--import', 'tsx', 'src/main/cli.ts', 'serve'];

const port = await new Promise<number>((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-ingest-'));
const db = values.backend === 'postgres' ? await scratchDatabase() : undefined;
const server = spawn(process.execPath, serverArgs, {
  cwd: ROOT,
  env: {
    ...process.env, PORT: String(port), TWISTERLAB_DATA_DIR: dataDir, LOG_LEVEL: 'warn', TWISTERLAB_BACKLOG_LIMIT: values.backlog,
    ...(db ? { DATABASE_URL: db.url } : {}),
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i += 1) {
  try {
    if ((await fetch(`${base}/health`)).ok) break;
  } catch { /* starting */ }
  if (i > 300) throw new Error('server did not start');
  await new Promise((r) => setTimeout(r, 100));
}

const body = JSON.stringify({ description: 'The VPN drops every few minutes since this morning, please help urgently' });
const run = (rate: number, seconds: number) => autocannon({
  url: `${base}/api/v1/tickets`, method: 'POST', headers: { 'content-type': 'application/json' }, body,
  connections: Number(values.connections), duration: seconds, overallRate: rate,
});
await run(100, 2); // warm-up: JIT, connection pool, prepared plans
const result = await run(Number(values.rate), Number(values.seconds));
const rss = rssOf(server.pid!);
const health = (await (await fetch(`${base}/health`)).json()) as { queueDepth: number };
const stored = ((await (await fetch(`${base}/api/v1/tickets?limit=1`)).json()) as { total: number }).total;
const answered = result['2xx'] / Number(values.seconds);

console.log(`bench/ingest: POST /api/v1/tickets at ${values.rate} req/s for ${values.seconds} s, ${values.connections} connections, store ${values.backend}`);
console.log(`requests ${result.requests.total}  answered 2xx ${result['2xx']} (${fmt(answered, 0)} req/s)`);
console.log(`latency  p50 ${result.latency.p50} ms  p90 ${result.latency.p90} ms  p99 ${result.latency.p99} ms  max ${result.latency.max} ms`);
console.log(`errors   ${result.errors}  timeouts ${result.timeouts}  non-2xx ${result.non2xx}`);
console.log(`server   RSS ${fmt(rss.rssMiB, 1)} MiB  peak ${fmt(rss.peakMiB, 1)} MiB  | tickets stored ${stored}, processed meanwhile ${stored - health.queueDepth}, queue depth at end ${health.queueDepth}`);

server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
await db?.drop();
rmSync(dataDir, { recursive: true, force: true });
