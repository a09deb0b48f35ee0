// Small helpers shared by the benchmarks: percentiles, RSS, a scratch PostgreSQL database.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { readProcStat, type ProcStat } from '../../src/adapters/proc-stat.ts';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Resident set size and its peak, in MiB, of a process (this one by default). */
export function rssOf(pid: number = process.pid): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/**
 * CPU time a process has used, user and system, in seconds: all its threads, and its main thread (the event loop)
 * alone. Read twice around a run, the difference is what the run cost it. Linux reports it in USER_HZ (100/s).
 */
export function cpuSecondsOf(pid: number): { process: number; mainThread: number } {
  const seconds = (stat: ProcStat | undefined) => (stat ? (stat.utimeTicks + stat.stimeTicks) / 100 : Number.NaN);
  return { process: seconds(readProcStat(pid)), mainThread: seconds(readProcStat(pid, pid)) };
}

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

const SERVER = process.env.BENCH_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432';

export async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `twisterlab_bench_${Date.now().toString(36)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  return { url: `${SERVER}/${name}`, drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/**
 * A process's resident memory by kind, in MiB, from /proc/PID/smaps: WebAssembly linear memory (V8 maps an
 * instance's memory read-write right below a reservation of several GiB that guards it, so it is an anonymous
 * read-write mapping followed at once by an inaccessible one of 4 GiB or more), code (anonymous executable
 * mappings: V8's JIT and WebAssembly code), files mapped in (the node binary, shared libraries) and the other
 * anonymous memory (V8 heaps of all threads, malloc, buffers).
 */
export interface MemoryMap {
  rss: number;
  wasmMemory: number;
  code: number;
  files: number;
  anonymous: number;
}

export function memoryMap(pid: number = process.pid): MemoryMap {
  const out: MemoryMap = { rss: 0, wasmMemory: 0, code: 0, files: 0, anonymous: 0 };
  let current: { end: bigint; kind: keyof MemoryMap; rss: number } | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ (\d+)/.exec(line);
    if (header) {
      const [start, end] = [BigInt(`0x${header[1]}`), BigInt(`0x${header[2]}`)];
      const [perms, inode] = [header[3]!, header[4]!];
      // A guard reservation right after an anonymous read-write mapping: that mapping was WebAssembly memory.
      if (
        perms === '---p' &&
        end - start >= 4n * 2n ** 30n &&
        current &&
        current.end === start &&
        current.kind === 'anonymous'
      ) {
        out.anonymous -= current.rss;
        out.wasmMemory += current.rss;
      }
      current = { end, kind: inode !== '0' ? 'files' : perms.includes('x') ? 'code' : 'anonymous', rss: 0 };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && current) {
      current.rss = Number(rss[1]) / 1024;
      out[current.kind] += current.rss;
      out.rss += current.rss;
    }
  }
  return out;
}
