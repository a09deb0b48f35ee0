// bench/ingest: POST /api/v1/tickets at a fixed offered rate (autocannon's overallRate) against the real server
// process, which processes the tickets meanwhile, on the embedded store and on PostgreSQL (--backend to pick one).
// Prints answered req/s, p50/p99 latency, errors and refusals (429 past the backlog limit), the server's peak RSS
// and how many tickets were processed meanwhile.
//   node --import tsx bench/ingest/run.ts [--rate 500] [--seconds 10] [--backend pglite|postgres|both] [--backlog 100000] [--cpu-prof dir]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { fmt, rssOf, scratchDatabase } from '../lib/stats.ts';
import { startBenchServer } from '../lib/server.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    backend: { type: 'string', default: 'both' },
    // Ids only are held per queued ticket: a limit above rate × seconds keeps the bench about intake, not refusals.
    backlog: { type: 'string', default: '100000' },
    // A directory for the server's CPU profile (node --cpu-prof), written when it stops.
    'cpu-prof': { type: 'string' },
  },
});

const body = JSON.stringify({
  description: 'The VPN drops every few minutes since this morning, please help urgently',
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const failures: string[] = [];

async function measure(backend: string): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-ingest-'));
  const db = backend === 'postgres' ? await scratchDatabase() : undefined;
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'], backend)] : [];
  const { base, server, stop } = await startBenchServer({
    moduleUrl: import.meta.url,
    nodeArgs: profile,
    env: {
      TWISTERLAB_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      TWISTERLAB_BACKLOG_LIMIT: values.backlog,
      ...(db ? { DATABASE_URL: db.url } : {}),
    },
  });
  try {
    const run = (rate: number, seconds: number) =>
      autocannon({
        url: `${base}/api/v1/tickets`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: Number(values.connections),
        duration: seconds,
        overallRate: rate,
      });
    await run(100, 2); // warm-up: JIT, connection pool, prepared plans
    const result = await run(RATE, SECONDS);
    const rss = rssOf(server.pid!);
    const health = (await (await fetch(`${base}/health`)).json()) as { queueDepth: number };
    const stored = ((await (await fetch(`${base}/api/v1/tickets?limit=1`)).json()) as { total: number }).total;
    const answered = result['2xx'] / SECONDS;
    console.log(
      `${backend.padEnd(8)} requests ${result.requests.total}  answered 2xx ${result['2xx']} (${fmt(answered, 0)} req/s of ${RATE} offered, ${fmt(answered / RATE, 3)})`,
    );
    console.log(
      `${''.padEnd(8)} latency  p50 ${result.latency.p50} ms  p90 ${result.latency.p90} ms  p99 ${result.latency.p99} ms  max ${result.latency.max} ms`,
    );
    console.log(`${''.padEnd(8)} errors   ${result.errors}  timeouts ${result.timeouts}  non-2xx ${result.non2xx}`);
    console.log(
      `${''.padEnd(8)} server   RSS ${fmt(rss.rssMiB, 1)} MiB  peak ${fmt(rss.peakMiB, 1)} MiB  | tickets stored ${stored}, processed meanwhile ${stored - health.queueDepth}, queue depth at end ${health.queueDepth}`,
    );
    if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0)
      failures.push(`${backend}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  } finally {
    await stop();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const backends = values.backend === 'both' ? ['pglite', 'postgres'] : [values.backend!];
console.log(
  `bench/ingest: POST /api/v1/tickets at ${RATE} req/s for ${SECONDS} s, ${values.connections} connections, while the tickets are processed (node ${process.version})`,
);
for (const backend of backends) await measure(backend);
if (failures.length > 0) {
  console.error(`bench/ingest: requests failed:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
