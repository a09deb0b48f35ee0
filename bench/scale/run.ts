// bench/scale: tickets per second end to end with one and with two `twisterlab worker` processes behind one API
// process (which only enqueues), on I/O-bound plans; queue dispatch latency; RSS per process.
//   npm run bench:scale -- [--tickets 400] [--concurrency 8] [--delay-ms 100] [--rate 20] [--paced 300]
//                          [--node-options "--max-old-space-size=128"]   (V8 options of the API and worker processes)
//
// Each ticket runs a runbook of four HTTP health checks against a local service that answers after --delay-ms:
// the work waits on I/O, as most support steps do. Throughput: --tickets submitted at once, timed until the store
// has them all final. Dispatch latency (enqueue to the start of processing) is measured on a paced load (--rate
// tickets/s, below capacity) from the jobs themselves: the API stamps a job when it adds it, the worker when it
// takes it (and records the same wait in its twisterlab_queue_wait_seconds histogram).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { TICKET_QUEUE_NAME } from '../../src/adapters/queue/bullmq-queue.ts';
import { freePort, startTestRedis } from '../../test/helpers/redis-server.ts';
import { fmt, percentile, rssOf, scratchDatabase } from '../lib/stats.ts';
import { benchArgs } from '../lib/args.ts';

const { values } = benchArgs({
  options: {
    tickets: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '8' },
    'delay-ms': { type: 'string', default: '100' },
    rate: { type: 'string', default: '20' },
    paced: { type: 'string', default: '300' },
    'node-options': { type: 'string', default: '' },
  },
});
const TICKETS = Number(values.tickets);
const CONCURRENCY = Number(values.concurrency);
const DELAY_MS = Number(values['delay-ms']);
const RATE = Number(values.rate);
const PACED = Number(values.paced);
const PREFIX = 'bench';

// Compiled (dist/bench/scale/run.js next to dist/src/main/cli.js), or from the sources through tsx.
const here = fileURLToPath(import.meta.url);
const cli = here.endsWith('.ts')
  ? ['--import', 'tsx', path.resolve(path.dirname(here), '../../src/main/cli.ts')]
  : [path.resolve(path.dirname(here), '../../src/main/cli.js')];

const service = createServer((_req, res) => setTimeout(() => res.end('ok'), DELAY_MS));
await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
const servicePort = (service.address() as AddressInfo).port;

const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-bench-scale-'));
const check = (description: string) => `  - capability: monitoring.check_service_health
    params: { service_name: '{{params.service}}' }
    description: ${description}`;
writeFileSync(
  path.join(dir, 'bench-io.yaml'),
  `id: bench-io
title: "Bench: four health checks of a slow service"
categories: [database, network, security, application, hardware, access, storage, performance, other]
keywords: [benchprobe]
requireKeyword: true
requires: [service]
parameters:
  service: { type: string, from: '{{context.serviceName}}' }
diagnose:
${check('First probe')}
${check('Second probe')}
${check('Third probe')}
verify:
${check('The service answers')}
    expect:
      - { path: healthy, op: eq, value: true }
`,
);

const redis = await startTestRedis({ args: ['--maxmemory-policy', 'noeviction'] });
const db = await scratchDatabase();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  DATABASE_URL: db.url,
  DATABASE_POOL_SIZE: '16',
  REDIS_URL: redis.url,
  TWISTERLAB_REDIS_PREFIX: PREFIX,
  LOG_LEVEL: 'warn',
  TWISTERLAB_DATA_DIR: path.join(dir, 'data'),
  TWISTERLAB_RUNBOOKS_DIR: dir,
  TWISTERLAB_SERVICES: `slow=http://127.0.0.1:${servicePort}/`,
  HOST: '127.0.0.1',
  PORT: String(port),
  NODE_OPTIONS: values['node-options'],
};

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], ready: RegExp): Promise<Proc> {
  const child = spawn(process.execPath, [...cli, ...args], {
    env: { ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => {
    output = (output + d).slice(-20_000);
  });
  child.stderr!.on('data', (d) => {
    output = (output + d).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (ready.test(output)) {
        clearInterval(timer);
        resolve({ child, output: () => output, exited });
      }
      if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`${args[0]} exited: ${output}`));
      }
    }, 20);
  });
}

const stop = async (proc: Proc) => {
  proc.child.kill('SIGTERM');
  await proc.exited;
};

const client = new pg.Client({ connectionString: db.url });

async function submit(): Promise<string> {
  const response = await fetch(`${base}/api/v1/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ description: 'benchprobe: the slow service is slow', context: { serviceName: 'slow' } }),
  });
  if (response.status !== 202) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { ticket: { id: string } }).ticket.id;
}

async function waitFinal(ids: string[]): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ open: number; bad: number }>(
      `select count(*) filter (where status not in ('resolved', 'escalated', 'failed'))::int as open,
              count(*) filter (where status in ('escalated', 'failed'))::int as bad from tickets where id = any($1::uuid[])`,
      [ids],
    );
    if (rows[0]!.bad > 0) throw new Error(`${rows[0]!.bad} tickets did not resolve`);
    if (rows[0]!.open === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Tickets per second with `workers` worker processes, from the first POST to the last ticket final. */
async function throughput(
  workers: number,
): Promise<{ perSecond: number; rss: Array<{ rssMiB: number; peakMiB: number }> }> {
  const procs = await Promise.all(
    Array.from({ length: workers }, () => start(['worker', '--concurrency', String(CONCURRENCY)], /taking tickets/)),
  );
  const warm: string[] = [];
  for (let i = 0; i < 10; i += 1) warm.push(await submit());
  await waitFinal(warm);
  const started = performance.now();
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < TICKETS) {
        next += 1;
        ids.push(await submit());
      }
    }),
  );
  await waitFinal(ids);
  const seconds = (performance.now() - started) / 1000;
  const rss = procs.map((p) => rssOf(p.child.pid!));
  await Promise.all(procs.map(stop));
  return { perSecond: TICKETS / seconds, rss };
}

/** Enqueue-to-start latency of a paced load on two workers, read from the jobs' own timestamps. */
async function dispatch(): Promise<{ waits: number[]; rss: Array<{ rssMiB: number; peakMiB: number }> }> {
  const procs = await Promise.all(
    [0, 1].map(() => start(['worker', '--concurrency', String(CONCURRENCY)], /taking tickets/)),
  );
  const ids: string[] = [];
  const started = performance.now();
  for (let i = 0; i < PACED; i += 1) {
    const due = started + (i * 1000) / RATE;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    ids.push(await submit());
  }
  await waitFinal(ids);
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue(TICKET_QUEUE_NAME, { connection, prefix: PREFIX });
  const wanted = new Set(ids);
  const jobs = (await queue.getJobs(['completed'], 0, -1)).filter((j) => j.id && wanted.has(j.id));
  await queue.close();
  connection.disconnect();
  if (jobs.length !== ids.length) throw new Error(`found ${jobs.length} of ${ids.length} completed jobs`);
  const rss = procs.map((p) => rssOf(p.child.pid!));
  await Promise.all(procs.map(stop));
  return { waits: jobs.map((j) => j.processedOn! - j.timestamp).sort((a, b) => a - b), rss };
}

try {
  const api = await start(['serve'], /TwisterLab is listening/);
  await client.connect();
  console.log(
    `bench/scale: ${TICKETS} tickets per run, plans of 4 HTTP checks of a service answering in ${DELAY_MS} ms, worker concurrency ${CONCURRENCY} (node ${process.version}${values['node-options'] ? `, ${values['node-options']}` : ''})`,
  );
  const one = await throughput(1);
  const two = await throughput(2);
  const paced = await dispatch();
  const apiRss = rssOf(api.child.pid!);
  await stop(api);
  console.log('workers   tickets/s   worker RSS MiB (peak)');
  const rssText = (r: Array<{ rssMiB: number; peakMiB: number }>) =>
    r.map((x) => `${fmt(x.rssMiB, 1)} (${fmt(x.peakMiB, 1)})`).join(', ');
  console.log(`1         ${fmt(one.perSecond, 1).padStart(9)}   ${rssText(one.rss)}`);
  console.log(`2         ${fmt(two.perSecond, 1).padStart(9)}   ${rssText(two.rss)}`);
  console.log(`ratio 2/1: ${fmt(two.perSecond / one.perSecond, 2)}   (target >= 1.7)`);
  console.log(
    `dispatch latency, ${PACED} tickets at ${RATE}/s on 2 workers: p50 ${fmt(percentile(paced.waits, 50), 0)} ms, p99 ${fmt(percentile(paced.waits, 99), 0)} ms, max ${fmt(paced.waits.at(-1)!, 0)} ms   (target p99 < 10 ms; job timestamps are whole milliseconds)`,
  );
  console.log(
    `RSS MiB (peak): API ${fmt(apiRss.rssMiB, 1)} (${fmt(apiRss.peakMiB, 1)}), workers ${rssText(paced.rss)}   (target < 150)`,
  );
} finally {
  await client.end().catch(() => undefined);
  await redis.close();
  await db.drop();
  service.close();
  rmSync(dir, { recursive: true, force: true });
}
