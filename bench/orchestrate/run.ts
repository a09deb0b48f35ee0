// bench/orchestrate: tickets fully processed per second on the rules path, in one process, on PGlite and
// PostgreSQL, for dry runs and for real local read-only steps. Prints throughput, end-to-end latency and RSS.
//   node --import tsx bench/orchestrate/run.ts [--tickets 1000] [--concurrency 32] [--backend pglite|postgres|both]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { hashApiKey } from '../../src/http/plugins/auth.ts';
import { createLogger, createRuntime } from '../../src/main/runtime.ts';
import { fmt, percentile, rssOf, scratchDatabase } from '../lib/stats.ts';
import { benchArgs } from '../lib/args.ts';

const { values } = benchArgs({
  options: {
    tickets: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    backend: { type: 'string', default: 'both' },
    mode: { type: 'string', default: 'both' },
  },
});
const TICKETS = Number(values.tickets);
const CONCURRENCY = Number(values.concurrency);

// A healthy HTTP service for the "real steps" mode: health probe, `ss -tln` and host metrics, then verification.
const service = createServer((_req, res) => res.end('ok'));
await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
const servicePort = (service.address() as AddressInfo).port;

const MODES = {
  'dry-run': { dryRun: true, text: 'The shop is down, customers cannot pay!' },
  'read-only steps': { dryRun: false, text: 'The shop is down, customers cannot pay!' },
} as const;

async function measure(backend: 'pglite' | 'postgres', mode: keyof typeof MODES) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-bench-'));
  const db = backend === 'postgres' ? await scratchDatabase() : undefined;
  const config = loadConfig(
    {
      LOG_LEVEL: 'silent',
      TWISTERLAB_DATA_DIR: dataDir,
      TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${servicePort}/`,
      DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '16',
      ...(db ? { DATABASE_URL: db.url } : {}),
    },
    hashApiKey,
  );
  const runtime = await createRuntime(config, createLogger(config));
  const { store } = runtime.opened;
  const { dryRun, text } = MODES[mode];
  const one = async () => {
    const started = performance.now();
    const { ticket } = await store.create({
      description: text,
      requester: 'bench',
      source: 'api',
      dryRun,
      context: {},
    });
    const outcome = await runtime.orchestrator.process(ticket.id);
    if (!dryRun && outcome.ticket.status !== 'resolved')
      throw new Error(`ticket ended ${outcome.ticket.status}: ${outcome.ticket.escalationReason}`);
    return performance.now() - started;
  };
  for (let i = 0; i < 20; i += 1) await one(); // warm-up
  // One at a time: the end-to-end latency of a ticket on an idle process.
  const sequential: number[] = [];
  for (let i = 0; i < Math.min(200, TICKETS); i += 1) sequential.push(await one());
  sequential.sort((a, b) => a - b);
  // Many at a time: throughput.
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TICKETS) {
        next += 1;
        latencies.push(await one());
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const rss = rssOf();
  if (process.env.BENCH_DEBUG) console.error(process.memoryUsage());
  await runtime.close();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
  return {
    backend,
    mode,
    perSecond: TICKETS / seconds,
    p50: percentile(sequential, 50),
    p99: percentile(sequential, 99),
    loadedP50: percentile(latencies, 50),
    ...rss,
  };
}

const backends =
  values.backend === 'both' ? (['pglite', 'postgres'] as const) : [values.backend as 'pglite' | 'postgres'];
console.log(
  `bench/orchestrate: ${TICKETS} tickets per run, ${CONCURRENCY} at a time, one process (node ${process.version})`,
);
console.log('backend   mode              tickets/s   p50 ms   p99 ms   loaded p50 ms   RSS MiB  peak MiB');
for (const backend of backends) {
  for (const mode of (values.mode === 'both' ? Object.keys(MODES) : [values.mode]) as Array<keyof typeof MODES>) {
    const r = await measure(backend, mode);
    console.log(
      `${r.backend.padEnd(9)} ${r.mode.padEnd(17)} ${fmt(r.perSecond, 1).padStart(9)} ${fmt(r.p50).padStart(8)} ${fmt(r.p99).padStart(8)} ${fmt(r.loadedP50).padStart(15)} ${fmt(r.rssMiB, 1).padStart(9)} ${fmt(r.peakMiB, 1).padStart(9)}`,
    );
  }
}
console.log('p50/p99: one ticket at a time on an idle process; tickets/s and loaded p50: with the concurrency above');
service.close();
