// Scale-out on real processes: `twisterlab serve` and `twisterlab worker` as child processes, a redis-server of the
// test file's own (to stop, kill and restart), and a PostgreSQL database of its own on the shared server.
//
// Ground truth is a side-effect log outside the store: a runbook (from TWISTERLAB_RUNBOOKS_DIR) whose change steps
// run `mktemp <dir>/<ticket tag>.<step>.XXXXXX` through the commander, allow-listed by TWISTERLAB_LOCAL_ALLOW.
// Each run of such a step leaves one new file named after its ticket, so the files count how often each step ran.
// Diagnosis is a read (`du -sh <dir>/<tag>.fixed`, a built-in read-only command) that confirms the finding
// `scale.unmarked` while the ticket's flag file is missing; the last fix step touches it, and verification's
// re-check of the same call sees the finding gone. Flag files are counted apart: touching twice leaves one.
// Tags are `*.localhost` names: every ticket naming a host is also a network-reachability hypothesis, and the
// probe egress rule refuses a loopback name without asking DNS, so that check never leaves the machine nor
// confirms a fault (an unchecked rule is not a finding).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminQuery, POSTGRES_SERVER, randomDatabaseName } from '../store/backends.ts';
import { freePort, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'bin/twisterlab.js');
export const FINAL = new Set(['resolved', 'escalated', 'failed']);

export interface Proc {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ScaleEnv {
  redis: TestRedis;
  base: string;
  /** Marker files, the side-effect log. */
  effectsDir: string;
  startApi(env?: Record<string, string>): Promise<Proc>;
  startWorker(env?: Record<string, string>, args?: string[]): Promise<Proc>;
  /** Submits tickets (`n` of them, tags `<prefix>-<i>`), `parallel` at a time; resolves with the acknowledged ones. */
  submit(prefix: string, n: number, parallel?: number): Promise<Submitted[]>;
  /** How many POSTs of `submit` have been answered so far (any status): progress while submitting. */
  answered(): number;
  /** Statuses of tickets straight from the store. */
  statuses(ids: string[]): Promise<Map<string, string>>;
  /**
   * Waits until every ticket is final. Fails only when nothing advanced (no ticket changed status) for `stallMs`:
   * a busy machine makes it slower, never wrong.
   */
  waitAllFinal(ids: string[], stallMs?: number): Promise<Map<string, string>>;
  /** How many times each marker step of each tag ran: tag → step → count. */
  effects(): Map<string, Map<string, number>>;
  /** The tags whose flag file (the fix of their finding) exists. */
  flagged(): Set<string>;
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export interface Submitted {
  id: string;
  tag: string;
  status: number;
}

export interface ScaleOptions {
  /** Runbook steps between the markers: `sleep` seconds after the first marker (makes a plan take a while). */
  sleepSeconds?: number;
  appendonly?: boolean;
}

export const FINDING = 'scale.unmarked';

/**
 * Diagnosis: the flag file's size (missing: the finding). Remedy: marker s0, (sleep), marker s1, the flag file
 * (each addressing the finding), then the same check as the verification, which re-checks the finding: five
 * commands a ticket (six with the sleep), two of them leaving a marker.
 */
function runbook(effectsDir: string, sleepSeconds: number | undefined): string {
  const mark = (step: string) => `'mktemp ${effectsDir}/{{params.tag}}.${step}.XXXXXX'`;
  const probe = `'du -sh ${effectsDir}/{{params.tag}}.fixed'`;
  const change = 'withoutBackup: it only creates a new empty marker file';
  const fix = (command: string, description: string, why = change) => `  - capability: commander.execute_command
    params: { device_id: local, command: ${command} }
    description: ${description}
    addresses: ${FINDING}
    ${why}
`;
  return `id: scale-probe
title: "Scale probe: a marker file per step run"
categories: [database, network, security, application, hardware, access, storage, performance, other]
keywords: [scaleprobe, markerfile]
requireKeyword: true
requires: [host]
parameters:
  tag: { type: string, from: '{{found.host}}', pattern: '^[a-z0-9-]+\\.scale\\.localhost$' }
diagnose:
  - id: flag
    capability: commander.execute_command
    params: { device_id: local, command: ${probe} }
    description: Look for the ticket's flag file
findings:
  - { id: ${FINDING}, step: flag, when: [{ path: exit_code, op: ne, value: 0 }], evidence: { exit_code: exit_code } }
fix:
${fix(mark('s0'), 'First marker')}${sleepSeconds ? fix(`'sleep ${sleepSeconds}'`, 'Take a while', 'withoutBackup: it only waits') : ''}${fix(mark('s1'), 'Second marker')}${fix(`'touch ${effectsDir}/{{params.tag}}.fixed'`, 'The flag file', 'withoutBackup: it only creates an empty flag file')}verify:
  - capability: commander.execute_command
    params: { device_id: local, command: ${probe} }
    description: The flag file is there
    expect:
      - { path: exit_code, op: eq, value: 0 }
`;
}

const FLAG = /^(.+\.scale\.localhost)\.fixed$/;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, (c) => `\\${c}`);

function run(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** How long the scale tests wait with nothing advancing before they give up. */
export const STALL_MS = 120_000;
/** Vitest's timeout for scale tests: none (0); their waits fail when progress stops, not after a total time. */
export const NO_TOTAL_BUDGET = 0;

/**
 * Polls `done` until it holds. `progress` returns a value that changes whenever work advances; the wait fails only
 * when it stayed the same for `stallMs` — there is no total budget, since a loaded machine is slow, not wrong.
 */
export async function untilProgressStops<T>(
  done: () => Promise<T | undefined> | T | undefined,
  progress: () => Promise<string | number> | string | number,
  what: () => string,
  { stallMs = STALL_MS, pollMs = 200 }: { stallMs?: number; pollMs?: number } = {},
): Promise<T> {
  let last = await progress();
  let lastChange = Date.now();
  for (;;) {
    const result = await done();
    if (result !== undefined) return result;
    const now = await progress();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      throw new Error(`nothing advanced for ${stallMs} ms: ${what()}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function waitForLine(proc: Proc, pattern: RegExp): Promise<void> {
  await untilProgressStops(
    () => {
      if (pattern.test(proc.output())) return true;
      if (proc.child.exitCode !== null)
        throw new Error(`process exited with ${proc.child.exitCode}: ${proc.output().slice(-3000)}`);
      return undefined;
    },
    // Starting takes a while on a loaded machine; a process that still logs is still starting.
    () => proc.output().length,
    () => `no ${pattern} yet: ${proc.output().slice(-3000)}`,
    { pollMs: 50 },
  );
}

export async function startScaleEnv(options: ScaleOptions = {}): Promise<ScaleEnv> {
  const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-scale-'));
  const effectsDir = path.join(dir, 'effects');
  const runbooksDir = path.join(dir, 'runbooks');
  mkdirSync(effectsDir);
  mkdirSync(runbooksDir);
  writeFileSync(path.join(runbooksDir, 'scale-probe.yaml'), runbook(effectsDir, options.sleepSeconds));
  const redis = await startTestRedis({
    appendonly: options.appendonly ?? false,
    args: ['--maxmemory-policy', 'noeviction'],
  });
  const database = randomDatabaseName('twisterlab_scale');
  await adminQuery(`create database ${database}`);
  const databaseUrl = `${POSTGRES_SERVER}/${database}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const allow = [
    `mktemp /^${escape(effectsDir)}\\/[a-z0-9.-]+\\.scale\\.localhost\\.s[0-9]\\.XXXXXX$/`,
    `touch /^${escape(effectsDir)}\\/[a-z0-9.-]+\\.scale\\.localhost\\.fixed$/`,
    'sleep /^[0-9.]+$/',
  ].join(';');
  const common: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '8',
    REDIS_URL: redis.url,
    LOG_LEVEL: 'info',
    TWISTERLAB_DATA_DIR: path.join(dir, 'data'),
    TWISTERLAB_RUNBOOKS_DIR: runbooksDir,
    TWISTERLAB_LOCAL_ALLOW: allow,
    // Failures are noticed within seconds, not the production half minute.
    TWISTERLAB_QUEUE_LOCK_MS: '2000',
    TWISTERLAB_QUEUE_STALLED_INTERVAL_MS: '1000',
    TWISTERLAB_QUEUE_BACKOFF_MS: '200',
    TWISTERLAB_LEASE_MS: '2000',
    TWISTERLAB_RECONCILE_INTERVAL_MS: '1000',
    TWISTERLAB_DEVICE_CONCURRENCY: '64',
  };
  const procs: Proc[] = [];
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: databaseUrl });
  let connected = false;
  let answered = 0;

  const env: ScaleEnv = {
    redis,
    base,
    effectsDir,
    async startApi(extra = {}) {
      const proc = run(['serve'], { ...common, HOST: '127.0.0.1', PORT: String(port), ...extra });
      procs.push(proc);
      await waitForLine(proc, /TwisterLab is listening/);
      if (!connected) {
        await client.connect();
        connected = true;
      }
      return proc;
    },
    async startWorker(extra = {}, args = []) {
      const proc = run(['worker', ...args], { ...common, ...extra });
      procs.push(proc);
      await waitForLine(proc, /TwisterLab worker is taking tickets/);
      return proc;
    },
    async submit(prefix, n, parallel = 16) {
      const submitted: Submitted[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          while (next < n) {
            const i = next++;
            const tag = `${prefix}-${i}.scale.localhost`;
            const response = await fetch(`${base}/api/v1/tickets`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ description: `scaleprobe markerfile for ${tag}` }),
            });
            const body = (await response.json()) as { ticket?: { id: string } };
            submitted.push({ id: body.ticket?.id ?? '', tag, status: response.status });
            answered += 1;
          }
        }),
      );
      return submitted;
    },
    answered: () => answered,
    async statuses(ids) {
      const rows = await client.query<{ id: string; status: string }>(
        'select id, status from tickets where id = any($1::uuid[])',
        [ids],
      );
      return new Map(rows.rows.map((r) => [r.id, r.status]));
    },
    async waitAllFinal(ids, stallMs = STALL_MS) {
      let statuses = new Map<string, string>();
      const open = () => ids.filter((id) => !FINAL.has(statuses.get(id) ?? ''));
      return untilProgressStops(
        async () => {
          statuses = await env.statuses(ids);
          return open().length === 0 ? statuses : undefined;
        },
        // Any ticket changing status is progress (a ticket between stages counts, not only a final one).
        () => ids.map((id) => statuses.get(id) ?? 'missing').join(','),
        () => {
          const counts: Record<string, number> = {};
          for (const id of open())
            counts[statuses.get(id) ?? 'missing'] = (counts[statuses.get(id) ?? 'missing'] ?? 0) + 1;
          return `${open().length} of ${ids.length} tickets not final: ${JSON.stringify(counts)}`;
        },
        { stallMs },
      );
    },
    effects() {
      const runs = new Map<string, Map<string, number>>();
      for (const name of readdirSync(effectsDir)) {
        if (FLAG.test(name)) continue;
        const match = /^(.+\.scale\.localhost)\.(s\d)\.[A-Za-z0-9]{6}$/.exec(name);
        if (!match) throw new Error(`unexpected file ${name} in the side-effect log`);
        const steps = runs.get(match[1]!) ?? new Map<string, number>();
        steps.set(match[2]!, (steps.get(match[2]!) ?? 0) + 1);
        runs.set(match[1]!, steps);
      }
      return runs;
    },
    flagged() {
      return new Set(
        readdirSync(effectsDir)
          .map((name) => FLAG.exec(name)?.[1])
          .filter((tag): tag is string => !!tag),
      );
    },
    query: async (sql) => (await client.query(sql)).rows as Array<Record<string, unknown>>,
    async close() {
      for (const proc of procs)
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      if (connected) await client.end();
      await redis.close();
      await adminQuery(`drop database if exists ${database} with (force)`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}
