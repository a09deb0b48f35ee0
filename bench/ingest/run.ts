// bench/ingest: POST /api/v1/tickets at a fixed offered rate — paced, open loop: one request every 1/rate s, latency
// from when it was due (bench/lib/paced-load.ts) — against the real server process, which processes the tickets
// meanwhile, on the embedded store and on PostgreSQL (--backend to pick one). Prints answered req/s, p50/p99
// latency, errors and refusals (429 past the backlog limit), the server's peak RSS and how many tickets were
// processed meanwhile, and the server's CPU per request. `--generator autocannon` uses autocannon's overallRate
// instead (bursts; for comparison). `--intake-only` (PostgreSQL) queues the tickets on a Redis queue that nothing
// takes from, then offers the same load to a bare node:http server doing the same insert and queue push
// (floor-server.ts): the floor this machine sets for intake, measured in the same run.
//   node --import tsx bench/ingest/run.ts [--rate 500] [--seconds 10] [--backend pglite|postgres|both] [--backlog 100000]
//     [--generator paced|autocannon] [--cpu-prof dir] [--warmup-rate N] [--workers N | --intake-only] [--node-flags="..."]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuSecondsOf, fmt, rssOf, scratchDatabase } from '../lib/stats.ts';
import { pacedLoad } from '../lib/paced-load.ts';
import { serveArgs, startBenchServer } from '../lib/server.ts';
import { startTestRedis, type TestRedis } from '../../test/helpers/redis-server.ts';
import { benchArgs, splitNodeFlags } from '../lib/args.ts';

interface Outcome {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  answeredPerSecond: number;
  sendLag: string;
}

const { values } = benchArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    backend: { type: 'string', default: 'both' },
    // Ids only are held per queued ticket: a limit above rate × seconds keeps the bench about intake, not refusals.
    backlog: { type: 'string', default: '100000' },
    // A directory for the server's CPU profile (node --cpu-prof), written when it stops.
    'cpu-prof': { type: 'string' },
    // Node and V8 flags for the server, before its script (e.g. "--max-semi-space-size=2 --optimize-for-size").
    'node-flags': { type: 'string', default: '' },
    // paced: one request every 1/rate s, open loop (the offered rate); autocannon: its overallRate, which sends each
    // second's share back to back at the start of the second (a burst at full concurrency; see bench/lib/paced-load.ts).
    generator: { type: 'string', default: 'paced' },
    // On PostgreSQL: 0 processes the tickets in the server (the default); N > 0 puts them on a Redis queue of the
    // bench's own and starts N `twisterlab worker` processes, so the server only takes tickets in.
    workers: { type: 'string', default: '0' },
    // On PostgreSQL: the tickets go onto a Redis queue of the bench's own that nothing takes them off: intake alone,
    // the floor of its latency on this machine with no processing beside it.
    'intake-only': { type: 'boolean', default: false },
    // The warm-up's rate (2 s) before the measured run: the offered rate by default, so that the measured run sees
    // the server in its steady state (the store's connections open, their first statements planned, the code
    // compiled); a lower one shows what the first burst after a quiet start costs.
    'warmup-rate': { type: 'string' },
  },
});
const WORKERS = Number(values.workers);
if (!Number.isInteger(WORKERS) || WORKERS < 0) throw new Error('--workers is a whole number, 0 or more');
if (values['intake-only'] && (WORKERS > 0 || values.backend !== 'postgres'))
  throw new Error('--intake-only is for --backend postgres, with no --workers');
if (!['paced', 'autocannon'].includes(values.generator!)) throw new Error('--generator is paced or autocannon');

const body = JSON.stringify({
  description: 'The VPN drops every few minutes since this morning, please help urgently',
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP_RATE = Number(values['warmup-rate'] ?? RATE);
const failures: string[] = [];

/** The server's event-loop delay since the last read (prom-client's histogram starts again on every scrape), ms. */
async function eventLoopLag(base: string): Promise<{ p50: number; p99: number; max: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`twisterlab_nodejs_eventloop_lag_${name}_seconds `));
    return line ? Number(line.split(' ')[1]) * 1000 : Number.NaN;
  };
  return { p50: read('p50'), p99: read('p99'), max: read('max') };
}

/** bench/ingest/floor-server.ts in a process of its own, like the real server (compiled when the bench is). */
async function startFloorServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; stop(): Promise<void> }> {
  const compiled = import.meta.url.endsWith('.js');
  const script = fileURLToPath(new URL(`./floor-server.${compiled ? 'js' : 'ts'}`, import.meta.url));
  const child = spawn(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the floor server exited (${code}) while starting`)));
  });
  return {
    child,
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A `twisterlab worker` process taking tickets off the bench's Redis, once it says so. */
async function startWorker(env: Record<string, string>): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const args = serveArgs(import.meta.url);
  const child = spawn(process.execPath, [...args.slice(0, -1), 'worker'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-10_000);
      if (/taking tickets/.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`a worker exited (${code}) while starting: ${output}`)));
  });
  child.stdout!.resume();
  return {
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function measure(backend: string): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-ingest-'));
  const db = backend === 'postgres' ? await scratchDatabase() : undefined;
  const redis: TestRedis | undefined =
    db && (WORKERS > 0 || values['intake-only']) ? await startTestRedis() : undefined;
  const env = {
    TWISTERLAB_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    TWISTERLAB_BACKLOG_LIMIT: values.backlog!,
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...(redis ? { REDIS_URL: redis.url } : {}),
  };
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'], backend)] : [];
  const { base, server, stop } = await startBenchServer({
    moduleUrl: import.meta.url,
    nodeArgs: [...splitNodeFlags(values['node-flags']), ...profile],
    env,
  });
  const workers = redis ? await Promise.all(Array.from({ length: WORKERS }, () => startWorker(env))) : [];
  try {
    const run = async (rate: number, seconds: number, url = `${base}/api/v1/tickets`): Promise<Outcome> => {
      const request = {
        url,
        method: 'POST' as const,
        headers: { 'content-type': 'application/json' },
        body,
      };
      const connections = Number(values.connections);
      if (values.generator === 'paced') {
        const r = await pacedLoad({ ...request, rate, seconds, connections });
        const non2xx = Object.values(r.statuses).reduce((a, b) => a + b, 0);
        return { ...r, non2xx, sendLag: `, generator's own send lag p99 ${fmt(r.sendLagP99, 1)} ms` };
      }
      const r = await autocannon({ ...request, connections, duration: seconds, overallRate: rate });
      return {
        sent: r.requests.total,
        ok: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
        answeredPerSecond: r['2xx'] / seconds,
        sendLag: '',
      };
    };
    await run(WARMUP_RATE, 2);
    await eventLoopLag(base); // reading the metric starts its histogram again: from here, the measured run only
    const cpuBefore = cpuSecondsOf(server.pid!);
    const result = await run(RATE, SECONDS);
    const cpuAfter = cpuSecondsOf(server.pid!);
    const lag = await eventLoopLag(base);
    const rss = rssOf(server.pid!);
    const health = (await (await fetch(`${base}/health`)).json()) as { queueDepth: number };
    const stored = ((await (await fetch(`${base}/api/v1/tickets?limit=1`)).json()) as { total: number }).total;
    const answered = result.answeredPerSecond;
    console.log(
      `${backend.padEnd(8)} requests ${result.sent}  answered 2xx ${result.ok} (${fmt(answered, 0)} req/s of ${RATE} offered, ${fmt(answered / RATE, 3)})`,
    );
    console.log(
      `${''.padEnd(8)} latency  p50 ${fmt(result.latency.p50, 1)} ms  p90 ${fmt(result.latency.p90, 1)} ms  p99 ${fmt(result.latency.p99, 1)} ms  max ${fmt(result.latency.max, 1)} ms${result.sendLag}`,
    );
    console.log(
      `${''.padEnd(8)} server's event loop delay  p50 ${fmt(lag.p50, 1)} ms  p99 ${fmt(lag.p99, 1)} ms  max ${fmt(lag.max, 1)} ms`,
    );
    // What the server spent on the run, per request answered: the whole process, and its event loop alone.
    const perRequest = (seconds: number) => fmt((seconds * 1000) / Math.max(1, result.ok), 2);
    console.log(
      `${''.padEnd(8)} server's CPU per request  ${perRequest(cpuAfter.process - cpuBefore.process)} ms in all, main thread ${perRequest(cpuAfter.mainThread - cpuBefore.mainThread)} ms`,
    );
    console.log(`${''.padEnd(8)} errors   ${result.errors}  timeouts ${result.timeouts}  non-2xx ${result.non2xx}`);
    console.log(
      `${''.padEnd(8)} server   RSS ${fmt(rss.rssMiB, 1)} MiB  peak ${fmt(rss.peakMiB, 1)} MiB  | tickets stored ${stored}, processed meanwhile ${stored - health.queueDepth}, queue depth at end ${health.queueDepth}`,
    );
    if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0)
      failures.push(`${backend}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
    if (values['intake-only']) {
      // The same load, warm-up included, against the bare server beside it: the floor this machine sets.
      const floor = await startFloorServer({ DATABASE_URL: db!.url, REDIS_URL: redis!.url });
      try {
        const url = `http://127.0.0.1:${floor.port}/`;
        await run(WARMUP_RATE, 2, url);
        const before = cpuSecondsOf(floor.child.pid!);
        const bare = await run(RATE, SECONDS, url);
        const after = cpuSecondsOf(floor.child.pid!);
        console.log(
          `floor    a bare node:http server doing the same insert and queue push: latency p50 ${fmt(bare.latency.p50, 1)} ms  p90 ${fmt(bare.latency.p90, 1)} ms  p99 ${fmt(bare.latency.p99, 1)} ms  max ${fmt(bare.latency.max, 1)} ms${bare.sendLag}`,
        );
        console.log(
          `${''.padEnd(8)} its CPU per request ${fmt(((after.process - before.process) * 1000) / Math.max(1, bare.ok), 2)} ms  | TwisterLab / floor: p50 ${fmt(result.latency.p50 / bare.latency.p50, 2)}x  p99 ${fmt(result.latency.p99 / bare.latency.p99, 2)}x`,
        );
        if (bare.errors > 0 || bare.timeouts > 0 || bare.non2xx > 0)
          failures.push(`floor: ${bare.errors} errors, ${bare.timeouts} timeouts, ${bare.non2xx} non-2xx`);
      } finally {
        await floor.stop();
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await stop();
    await redis?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const backends = values.backend === 'both' ? ['pglite', 'postgres'] : [values.backend!];
console.log(
  `bench/ingest: POST /api/v1/tickets at ${RATE} req/s for ${SECONDS} s (${values.generator === 'paced' ? 'paced, open loop' : "autocannon's overallRate"}) after 2 s at ${WARMUP_RATE} req/s, ${values.connections} connections at most, ${values['intake-only'] ? 'intake only (queued, nothing processes them)' : WORKERS > 0 ? `while ${WORKERS} worker(s) process the tickets` : 'while the tickets are processed'} (node ${process.version})`,
);
for (const backend of backends) await measure(backend);
if (failures.length > 0) {
  console.error(`bench/ingest: requests failed:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
