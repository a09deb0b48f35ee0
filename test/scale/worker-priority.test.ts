// Intake first across processes: a worker lowers its own CPU priority, every thread of it and what it starts (the
// spawn helper that forks the commands), while the API process beside it keeps the normal one. Read from the
// kernel (/proc), not from the worker's word.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProcStat } from '../../src/adapters/proc-stat.ts';
import { NO_TOTAL_BUDGET, startScaleEnv, type Proc, type ScaleEnv } from './scale-kit.ts';

/** The nice value of each thread of a process (a thread that ends while they are read is left out). */
function threadNice(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    const stat = readProcStat(pid, Number(tid));
    return stat ? [stat.nice] : [];
  });
}

/** Each thread of a process as `tid name nice`, for a failure's message. */
function describeThreads(pid: number): string {
  return readdirSync(`/proc/${pid}/task`)
    .map((tid) => {
      const stat = readProcStat(pid, Number(tid));
      let name = '?';
      try {
        name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      } catch {
        /* ended meanwhile */
      }
      return `${tid} ${name} ${stat?.nice ?? 'gone'}`;
    })
    .join(', ');
}

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return (
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      // One that ended meanwhile has no stat any more.
      .filter((child) => readProcStat(child)?.ppid === pid)
  );
}

/** A process's command line, or that it is gone: said when an assertion about it fails. */
function describeProcess(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return 'gone';
  }
}

describe.skipIf(process.platform !== 'linux')('worker CPU priority', () => {
  let env: ScaleEnv;
  let api: Proc;
  let lowered: Proc;
  let unchanged: Proc;

  beforeAll(async () => {
    env = await startScaleEnv();
    api = await env.startApi();
    [lowered, unchanged] = await Promise.all([env.startWorker({}), env.startWorker({ TWISTERLAB_WORKER_NICE: '0' })]);
  }, NO_TOTAL_BUDGET);

  afterAll(async () => {
    await env?.close();
  });

  it('a worker runs at nice 10 by default, all its threads and its spawn helper; the API stays at 0', () => {
    expect(new Set(threadNice(lowered.child.pid!)), describeThreads(lowered.child.pid!)).toEqual(new Set([10]));
    const helpers = childrenOf(lowered.child.pid!);
    expect(helpers.length, 'the worker has no child process (its spawn helper)').toBeGreaterThan(0);
    for (const helper of helpers) {
      expect(
        new Set(threadNice(helper)),
        `child ${helper}: ${describeProcess(helper)}; threads ${describeThreads(helper)}`,
      ).toEqual(new Set([10]));
    }
    expect(new Set(threadNice(api.child.pid!)), describeThreads(api.child.pid!)).toEqual(new Set([0]));
  });

  it('TWISTERLAB_WORKER_NICE=0 leaves a worker at the normal priority', () => {
    expect(new Set(threadNice(unchanged.child.pid!))).toEqual(new Set([0]));
  });

  it('refuses a nice value out of range, naming the variable', async () => {
    const refused = await env.startWorker({ TWISTERLAB_WORKER_NICE: '20' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String(refused)).toMatch(/TWISTERLAB_WORKER_NICE/);
  });
});
