// bench/pipeline: the like-for-like pipeline "ticket → classify → diagnose with `uptime` on the local device → read
// the result → respond" through POST /orchestrate against the real server process (a one-check runbook),
// at a fixed concurrency; beside it, in the same run and interleaved, the raw ceiling: the same number of
// `uptime` spawns from a bare Node process at the same concurrency, and the same spawns through the server's spawn
// helper with no platform around them. Prints tickets/s, p50/p99, the server's RSS, and the ratios;
// classification alone (POST /api/v1/mcp/classifier.classify_ticket) too.
// Every ticket must run its one uptime check and end no_fault_found, or the bench fails (exit code 1) saying which.
//   node --import tsx bench/pipeline/run.ts [--tickets 300] [--concurrency 10] [--backend pglite|postgres|both] [--cpu-prof dir]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { fmt, percentile, rssOf, scratchDatabase } from '../lib/stats.ts';
import { startBenchServer } from '../lib/server.ts';
import { benchArgs, splitNodeFlags } from '../lib/args.ts';
import { createLocalExecutor } from '../../src/adapters/devices/local-executor.ts';
import { chooseSpawnHelper } from '../../src/adapters/devices/spawn-helper.ts';

const { values } = benchArgs({
  options: {
    tickets: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '10' },
    backend: { type: 'string', default: 'both' },
    // A directory for the server's CPU profile (node --cpu-prof), written when it stops: where the time goes.
    'cpu-prof': { type: 'string' },
    // Node and V8 flags for the server, before its script (e.g. "--max-semi-space-size=2 --optimize-for-size").
    'node-flags': { type: 'string', default: '' },
    // Seconds of classification alone after the pipeline (0: none, e.g. to profile the pipeline only).
    'classify-seconds': { type: 'string', default: '5' },
  },
});
const TICKETS = Number(values.tickets);
const CONCURRENCY = Number(values.concurrency);

// One read-only check on this host. Its category (application) and words (restarts, uptime) are ones no built-in
// runbook without a target covers, so diagnosing a ticket that names the device `local` runs exactly this check:
// one `uptime` per ticket, like the ceiling. Nothing is wrong with the host, so every ticket ends `no_fault_found`
// (checked, nothing to fix, the requester is told what was looked at): the loop's end for a healthy system.
const RUNBOOK = `id: bench-uptime
title: Restarts and load of the application host
categories: [application]
keywords: [reboot, rebooted, restart, restarted, restarting, uptime]
diagnose:
  - id: uptime
    capability: commander.execute_command
    params: { device_id: local, command: uptime }
    description: Read how long the host has been up and its load averages
`;

// The ceiling: a bare Node process spawning uptime at the same concurrency (no platform, no store).
const CEILING = `const { spawn } = require('node:child_process');
const n = Number(process.argv[1]), c = Number(process.argv[2]); let i = 0; const t0 = performance.now();
const one = () => new Promise((res, rej) => { const p = spawn('uptime', [], { stdio: ['ignore', 'pipe', 'pipe'] }); p.stdout.resume(); p.stderr.resume(); p.on('close', res); p.on('error', rej); });
Promise.all(Array.from({ length: c }, async () => { while (i++ < n) await one(); })).then(() => console.log(n / ((performance.now() - t0) / 1000)));`;

function ceiling(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CEILING, String(TICKETS), String(CONCURRENCY)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('close', (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`ceiling exited ${code}`)),
    );
  });
}

// Beside the ceiling, for reading the ratio: the same spawns through the spawn helper the server uses, from this
// process, with no platform around them (what the platform's own work costs is the gap between this and the pipeline).
const helperKind = chooseSpawnHelper('auto');
const helperAlone = createLocalExecutor(undefined, { ownHelper: true, helper: helperKind });
async function throughHelper(): Promise<number> {
  let i = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (i++ < TICKETS) await helperAlone.exec(['uptime'], { timeoutMs: 10_000, outputCap: 64 * 1024 });
    }),
  );
  return TICKETS / ((performance.now() - t0) / 1000);
}

async function startServer(backend: string): Promise<{ base: string; server: ChildProcess; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-pipeline-'));
  const runbooks = path.join(dataDir, 'runbooks');
  mkdirSync(runbooks);
  writeFileSync(path.join(runbooks, 'bench-uptime.yaml'), RUNBOOK);
  const db = backend === 'postgres' ? await scratchDatabase() : undefined;
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'], backend)] : [];
  const {
    base,
    server,
    stop: stopServer,
  } = await startBenchServer({
    moduleUrl: import.meta.url,
    nodeArgs: [...splitNodeFlags(values['node-flags']), ...profile],
    env: {
      TWISTERLAB_DATA_DIR: dataDir,
      TWISTERLAB_RUNBOOKS_DIR: runbooks,
      LOG_LEVEL: 'warn',
      ...(db ? { DATABASE_URL: db.url } : {}),
    },
  });
  return {
    base,
    server,
    async stop() {
      await stopServer();
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Incidents as a requester writes them, about a machine of ours (the device \`local\`, named as a machine: a device
// id that is an everyday word counts only beside "host", "server", "device" or "machine"): the triage reads each as
// an incident on our estate, so the loop diagnoses it (an unnamed machine or a question goes to a person untouched).
const TASKS = [
  'The application on the local host restarted overnight, please check its uptime',
  'Our app server, the local machine, rebooted unexpectedly this morning',
  'The application on the local server was restarted twice since yesterday, users lost their sessions',
];
/** Where every ticket must end: diagnosed (one uptime), nothing wrong, the requester told. */
const EXPECTED = 'no_fault_found';

interface PipelineRun {
  perSecond: number;
  p50: number;
  p99: number;
  states: Map<string, number>;
  steps: Map<string, number>;
  wrong: string[];
}

// The load generator shares the two cores with the server, so it is kept light: node:http over CONCURRENCY
// keep-alive connections (fetch cost about 2.3 ms of CPU per request here, a tenth of a ticket's whole budget).
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function postJson(url: string, payload: unknown): Promise<{ status: number; body: unknown }> {
  const body = Buffer.from(JSON.stringify(payload));
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function pipeline(base: string, count: number): Promise<PipelineRun> {
  const latencies: number[] = [];
  const states = new Map<string, number>();
  const steps = new Map<string, number>();
  /** Tickets that did not run their one uptime check and end as expected, with why (the first few are shown). */
  const wrong: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const task = TASKS[i % TASKS.length]!;
        const t = performance.now();
        const response = await postJson(`${base}/orchestrate`, { task });
        const body = response.body as {
          ticket?: { status: string; escalation_reason?: string | null };
          execution_results?: Array<{ capability: string; success: boolean; output?: { argv?: string[] } | null }>;
          error?: { code: string };
        };
        latencies.push(performance.now() - t);
        const state = body.ticket?.status ?? `HTTP ${response.status} ${body.error?.code ?? ''}`;
        states.set(state, (states.get(state) ?? 0) + 1);
        const ran = body.execution_results ?? [];
        for (const step of ran) steps.set(step.capability, (steps.get(step.capability) ?? 0) + 1);
        const uptime = ran.length === 1 && ran[0]!.success && ran[0]!.output?.argv?.join(' ') === 'uptime';
        if (state !== EXPECTED || !uptime) {
          wrong.push(
            `"${task}" → ${state}${body.ticket?.escalation_reason ? ` (${body.ticket.escalation_reason})` : ''}; ran ${ran.map((s) => `${s.capability}${s.success ? '' : ' (failed)'}`).join(', ') || 'nothing'}`,
          );
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: count / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    states,
    steps,
    wrong,
  };
}

const backends = values.backend === 'both' ? ['pglite', 'postgres'] : [values.backend!];
console.log(
  `bench/pipeline: ${TICKETS} tickets through POST /orchestrate at concurrency ${CONCURRENCY}, beside ${TICKETS} bare uptime spawns (node ${process.version})`,
);
const failures: string[] = [];
for (const backend of backends) {
  const { base, server, stop } = await startServer(backend);
  const warm = await pipeline(base, 20); // warm-up: JIT, spawn helper, prepared plans
  const ceilingFirst = await ceiling();
  const run = await pipeline(base, TICKETS);
  const ceilingAfter = await ceiling();
  const helperRate = await throughHelper();
  const rss = rssOf(server.pid!);
  const classifySeconds = Number(values['classify-seconds']);
  const classify =
    classifySeconds > 0
      ? await autocannon({
          url: `${base}/api/v1/mcp/classifier.classify_ticket`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ description: 'The VPN drops every few minutes since this morning' }),
          connections: 10,
          duration: classifySeconds,
        })
      : { requests: { average: Number.NaN }, non2xx: 0, errors: 0 };
  const raw = (ceilingFirst + ceilingAfter) / 2;
  console.log(
    `${backend.padEnd(8)} pipeline ${fmt(run.perSecond, 1)} tickets/s  p50 ${fmt(run.p50, 0)} ms  p99 ${fmt(run.p99, 0)} ms  | raw uptime ceiling ${fmt(raw, 1)}/s (${fmt(ceilingFirst, 1)} before, ${fmt(ceilingAfter, 1)} after)  | ratio ${fmt(run.perSecond / raw, 2)}`,
  );
  console.log(
    `${''.padEnd(8)} the same uptime spawns through the ${helperKind} spawn helper alone ${fmt(helperRate, 1)}/s  | pipeline / that ${fmt(run.perSecond / helperRate, 2)}`,
  );
  console.log(
    `${''.padEnd(8)} server RSS ${fmt(rss.rssMiB, 1)} MiB, peak ${fmt(rss.peakMiB, 1)} MiB  | classification alone ${fmt(classify.requests.average, 0)} req/s (non-2xx ${classify.non2xx}, errors ${classify.errors})`,
  );
  console.log(
    `${''.padEnd(8)} final status ${[...run.states].map(([s, n]) => `${s} ${n}`).join(', ')}  | steps ${[...run.steps].map(([s, n]) => `${s} ${n}`).join(', ')}`,
  );
  const wrong = [...warm.wrong, ...run.wrong];
  if (wrong.length > 0) {
    failures.push(
      `${backend}: ${wrong.length} of ${TICKETS + 20} tickets did not run their uptime check and end ${EXPECTED}; first: ${wrong.slice(0, 3).join(' | ')}`,
    );
  }
  if (classify.non2xx > 0 || classify.errors > 0)
    failures.push(`${backend}: classification answered ${classify.non2xx} non-2xx and ${classify.errors} errors`);
  await stop();
}
agent.destroy();
helperAlone.close();
if (failures.length > 0) {
  // The figures above are not the pipeline's unless every ticket went the whole way.
  console.error(`bench/pipeline FAILED:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
