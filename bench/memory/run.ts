// bench/memory: where the server's memory goes after a fixed load, on the embedded store and on PostgreSQL.
// Starts the real server process, runs a fixed load (tickets through POST /orchestrate running `uptime` and a
// metrics verify, at concurrency 10, then tickets posted to POST /api/v1/tickets and processed), and prints the
// RSS of the server and of its child processes, the server's RSS by kind (from /proc/PID/smaps: WebAssembly
// memory, code, mapped files, other anonymous memory) and its V8 heaps (main thread, and the embedded store's
// thread, from /metrics). With --restart the embedded store is opened a second time on the same data directory
// and the load repeated: the state of a long-lived install.
//   node --import tsx bench/memory/run.ts [--tickets 300] [--posted 1000] [--backend pglite|postgres|both] [--node-flags="..."]
//     [--production] [--restart]
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fmt, memoryMap, rssOf, scratchDatabase } from '../lib/stats.ts';
import { startBenchServer, type BenchServer } from '../lib/server.ts';
import { benchArgs, splitNodeFlags } from '../lib/args.ts';
import { PACKAGE_ROOT } from '../../src/adapters/package-root.ts';
import { PGLITE_SETTINGS } from '../../src/adapters/store/open-store.ts';

const { values } = benchArgs({
  options: {
    tickets: { type: 'string', default: '300' },
    posted: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '10' },
    backend: { type: 'string', default: 'both' },
    'node-flags': { type: 'string', default: '' },
    // What `npm start` and the image run with: the heap flags (unless --node-flags says otherwise) and glibc's
    // allocator settings.
    production: { type: 'boolean', default: false },
    restart: { type: 'boolean', default: false },
  },
});
// Read from `npm start` itself, so that the bench cannot drift from it (a deploy test keeps the image in step).
const startScript = (
  JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start;
const PRODUCTION_NODE_FLAGS = [...startScript.matchAll(/ (--max-[a-z-]+=\S+)/g)].map((m) => m[1]!);
const PRODUCTION_MALLOC = Object.fromEntries(
  [...startScript.matchAll(/\b(MALLOC_[A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]),
);
if (values.production && (PRODUCTION_NODE_FLAGS.length === 0 || Object.keys(PRODUCTION_MALLOC).length === 0))
  throw new Error(`--production: no heap flags or allocator settings found in npm start (${startScript})`);
const TICKETS = Number(values.tickets);
const POSTED = Number(values.posted);
const CONCURRENCY = Number(values.concurrency);
const nodeFlags = values['node-flags']
  ? splitNodeFlags(values['node-flags'])
  : values.production
    ? PRODUCTION_NODE_FLAGS
    : [];
if (values.production) Object.assign(process.env, PRODUCTION_MALLOC);

const RUNBOOK = `id: bench-uptime
title: Load averages of this host
categories: [performance]
keywords: [slow, load, sluggish]
diagnose:
  - capability: commander.execute_command
    params: { device_id: local, command: uptime }
    description: Read load averages
verify:
  - capability: monitoring.get_system_metrics
    description: Metrics readable
    expect:
      - { path: memory.used_percent, op: lte, value: 100 }
`;
const TASKS = [
  'This server is very slow since this morning',
  'Everything on this host has been sluggish since noon, the load looks high',
  'This machine is slow and lags a lot today',
];

function startServer(env: Record<string, string>): Promise<BenchServer> {
  return startBenchServer({
    moduleUrl: import.meta.url,
    nodeArgs: nodeFlags,
    env: { TWISTERLAB_BACKLOG_LIMIT: '100000', ...env },
  });
}

async function load(
  base: string,
): Promise<{ orchestratePerSecond: number; postedPerSecond: number; failures: number; states: Map<string, number> }> {
  let failures = 0;
  const states = new Map<string, number>();
  let next = 0;
  let started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TICKETS) {
        const i = next++;
        const response = await fetch(`${base}/orchestrate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ task: TASKS[i % TASKS.length] }),
        });
        const body = (await response.json()) as { ticket?: { status: string } };
        const state = body.ticket?.status ?? `HTTP ${response.status}`;
        states.set(state, (states.get(state) ?? 0) + 1);
      }
    }),
  );
  const orchestratePerSecond = TICKETS / ((performance.now() - started) / 1000);
  next = 0;
  started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY * 2 }, async () => {
      while (next < POSTED) {
        next += 1;
        const response = await fetch(`${base}/api/v1/tickets`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            description: 'The VPN drops every few minutes since this morning, please help urgently',
          }),
        });
        await response.arrayBuffer();
        if (response.status !== 201 && response.status !== 202) failures += 1;
      }
    }),
  );
  const postedPerSecond = POSTED / ((performance.now() - started) / 1000);
  // The posted tickets are processed meanwhile; the figures are read once the queue is empty.
  for (let i = 0; i < 6_000; i += 1) {
    const health = (await (await fetch(`${base}/health`)).json()) as { queueDepth: number };
    if (health.queueDepth === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { orchestratePerSecond, postedPerSecond, failures, states };
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const child of text ? text.split(/\s+/).map(Number) : []) out.push(child, ...childrenOf(child));
  }
  return out;
}

async function heaps(base: string): Promise<{
  mainHeapUsed: number;
  mainHeapTotal: number;
  external: number;
  storeHeapUsed: number;
  storeHeapTotal: number;
  wasmSize: number;
}> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const metric = (name: string) =>
    Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
  return {
    mainHeapUsed: metric('twisterlab_nodejs_heap_size_used_bytes'),
    mainHeapTotal: metric('twisterlab_nodejs_heap_size_total_bytes'),
    external: metric('twisterlab_nodejs_external_memory_bytes'),
    storeHeapUsed: metric('twisterlab_store_thread_memory_bytes{kind="heap_used"}'),
    storeHeapTotal: metric('twisterlab_store_thread_memory_bytes{kind="heap_total"}'),
    wasmSize: metric('twisterlab_store_thread_memory_bytes{kind="wasm_memory"}'),
  };
}

async function measure(label: string, base: string, server: ChildProcess): Promise<void> {
  const idle = rssOf(server.pid!);
  const run = await load(base);
  const rss = rssOf(server.pid!);
  const map = memoryMap(server.pid!);
  const heap = await heaps(base);
  const children = childrenOf(server.pid!).map((pid) => ({
    pid,
    name: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(),
    ...rssOf(pid),
  }));
  const childSum = children.reduce((sum, c) => sum + c.rssMiB, 0);
  console.log(
    `${label.padEnd(18)} RSS ${fmt(rss.rssMiB, 1)} MiB (idle before load ${fmt(idle.rssMiB, 1)}, peak ${fmt(rss.peakMiB, 1)})  | children ${children.map((c) => `${c.name} ${fmt(c.rssMiB, 1)}`).join(', ') || 'none'}  | sum ${fmt(rss.rssMiB + childSum, 1)} MiB`,
  );
  console.log(
    `${''.padEnd(18)} by kind: WebAssembly memory ${fmt(map.wasmMemory, 1)}, code ${fmt(map.code, 1)}, mapped files ${fmt(map.files, 1)}, other anonymous ${fmt(map.anonymous, 1)} MiB`,
  );
  console.log(
    `${''.padEnd(18)} V8 heaps: main used/total ${fmt(heap.mainHeapUsed, 1)}/${fmt(heap.mainHeapTotal, 1)}, store thread ${fmt(heap.storeHeapUsed, 1)}/${fmt(heap.storeHeapTotal, 1)} MiB; external ${fmt(heap.external, 1)} MiB; PGlite WebAssembly memory size ${fmt(heap.wasmSize, 0)} MiB`,
  );
  console.log(
    `${''.padEnd(18)} load: ${TICKETS} orchestrated ${fmt(run.orchestratePerSecond, 1)}/s (${[...run.states].map(([s, n]) => `${s} ${n}`).join(', ')}), ${POSTED} posted ${fmt(run.postedPerSecond, 0)}/s (refused or failed ${run.failures})`,
  );
}

// What embedding Postgres costs before the platform adds anything: PGlite opened on the server's data directory, with
// the server's settings and the store thread's --liftoff-only, in a bare node process with the same flags, after as
// many ticket-sized inserts as the load made; and a bare node process beside it.
const PGLITE_ALONE = `
const { PGlite } = await import('@electric-sql/pglite');
const db = await PGlite.create(process.argv[1], { postgresqlconf: JSON.parse(process.argv[2]) });
await db.query('create table bench_alone (id serial primary key, description text, created_at timestamptz default now())');
for (let i = 0; i < Number(process.argv[3]); i++)
  await db.query('insert into bench_alone (description) values ($1)', ['The VPN drops every few minutes since this morning']);
await db.query('select count(*) from tickets');
const { readFileSync } = await import('node:fs');
console.log(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
await db.query('drop table bench_alone');
await db.close();`;
const BARE_NODE = `setTimeout(() => console.log(/VmRSS:\\s+(\\d+)/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]), 200)`;

function floors(pgdata: string): void {
  const rssMiB = (args: string[]) =>
    Number(execFileSync(process.execPath, [...nodeFlags, ...args], { cwd: PACKAGE_ROOT, encoding: 'utf8' })) / 1024;
  const alone = rssMiB([
    '--liftoff-only',
    '--input-type=module',
    '-e',
    PGLITE_ALONE,
    pgdata,
    JSON.stringify(PGLITE_SETTINGS),
    String(TICKETS + POSTED),
  ]);
  const bare = rssMiB(['-e', BARE_NODE]);
  console.log(
    `${'floors'.padEnd(18)} PGlite alone in a bare node process (the same flags and settings, ${TICKETS + POSTED} inserts) ${fmt(alone, 1)} MiB; a bare node process ${fmt(bare, 1)} MiB: PGlite itself ${fmt(alone - bare, 1)} MiB`,
  );
}

const backends = values.backend === 'both' ? ['pglite', 'postgres'] : [values.backend!];
// glibc's allocator settings reach the server from this process's environment (npm start and the image set them).
const malloc = Object.entries(process.env)
  .filter(([name]) => name.startsWith('MALLOC_'))
  .map(([name, value]) => `${name}=${value}`)
  .sort();
console.log(
  `bench/memory: ${TICKETS} tickets through POST /orchestrate (uptime + metrics verify) at concurrency ${CONCURRENCY}, then ${POSTED} through POST /api/v1/tickets (node ${process.version}${nodeFlags.length ? `, ${nodeFlags.join(' ')}` : ''}; malloc ${malloc.length ? malloc.join(' ') : "glibc's defaults"})`,
);
for (const backend of backends) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-memory-'));
  const runbooks = path.join(dataDir, 'runbooks');
  mkdirSync(runbooks);
  writeFileSync(path.join(runbooks, 'bench-uptime.yaml'), RUNBOOK);
  const db = backend === 'postgres' ? await scratchDatabase() : undefined;
  const env = {
    TWISTERLAB_DATA_DIR: dataDir,
    TWISTERLAB_RUNBOOKS_DIR: runbooks,
    ...(db ? { DATABASE_URL: db.url } : {}),
  };
  try {
    const first = await startServer(env);
    await measure(`${backend}${backend === 'pglite' ? ', new dir' : ''}`, first.base, first.server);
    await first.stop();
    if (backend === 'pglite' && values.restart) {
      const again = await startServer(env);
      await measure('pglite, reopened', again.base, again.server);
      await again.stop();
    }
    if (backend === 'pglite') floors(path.join(dataDir, 'pgdata'));
  } finally {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
