// The embedded database in a worker thread (pglite-worker.ts), seen from the main thread as the small part of
// PGlite's client that drizzle's PGlite driver uses: query, transaction, exec. The main thread only posts SQL
// and receives rows; parsing, planning and executing run on the worker's thread, so the event loop that answers
// HTTP never waits on WASM Postgres. A transaction is opened in the worker and ended by the main thread; while
// it is open, other queries wait in the worker, as they would on PGlite itself.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';

export interface WorkerStart {
  dataDir: string;
  /** postgresql.conf lines (`name = value`): the memory bounds. */
  settings: string[];
  /** The WASM memory PGlite starts with, in bytes (it grows on demand). */
  initialMemory?: number;
}

export type WorkerRequest =
  | {
      id: number;
      op: 'query';
      sql: string;
      params: unknown[];
      rowMode: 'array' | 'object';
      tx?: number;
      /** Ahead of every statement waiting for PGlite that is not: intake's (see putFirst). */
      first?: true;
    }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'memory' }
  | { id: number; op: 'close' };

export type WorkerReply =
  { id: number; result: unknown; error?: undefined } | { id: number; error: Record<string, unknown> };

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Results {
  rows: unknown[];
  fields: Array<{ name: string; dataTypeID: number }>;
  affectedRows?: number;
}

interface QueryOptions {
  rowMode?: 'array' | 'object';
}

/** What drizzle's PGlite driver calls inside a transaction. */
interface ThreadTransaction {
  query(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results>;
  exec(sql: string): Promise<Results[]>;
  rollback(): Promise<void>;
  readonly closed: boolean;
}

// A statement as the main thread sees it fail: the worker's error fields (code, constraint...) on an Error.
class EmbeddedDatabaseError extends Error {
  constructor(data: Record<string, unknown>) {
    super(String(data.message ?? 'the embedded database failed'));
    for (const [key, value] of Object.entries(data))
      if (key !== 'message' && key !== 'stack') (this as Record<string, unknown>)[key] = value;
    this.name = 'EmbeddedDatabaseError';
  }
}

// SQLSTATE 08006 (connection failure): callers see the store as unavailable, as with a lost PostgreSQL.
const gone = (why: string) =>
  new EmbeddedDatabaseError({ message: `the embedded database is not running: ${why}`, code: '08006' });

export class PgliteThread {
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private stopped: string | undefined;
  private readonly firstSql = new Set<string>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.error) waiting.reject(new EmbeddedDatabaseError(reply.error));
      else waiting.resolve(reply.result);
    });
    const fail = (why: string) => {
      this.stopped ??= why;
      for (const waiting of this.pending.values()) waiting.reject(gone(why));
      this.pending.clear();
    };
    worker.on('error', (error) => fail(error.message));
    worker.on('exit', (code) => fail(`its thread exited (${code})`));
  }

  /** Starts the worker thread and opens PGlite in it; rejects with PGlite's error if it cannot open. */
  static async start(start: WorkerStart): Promise<PgliteThread> {
    // A new data directory is created by a short-lived child process: PGlite runs initdb in a second WebAssembly
    // instance, and the hundreds of MiB that takes would otherwise stay in this process (freed by a late full
    // collection at best, and even then kept by the allocator). Opened afterwards, the cluster exists already.
    if (!existsSync(path.join(start.dataDir, 'PG_VERSION'))) await PgliteThread.initialise(start);
    const worker = startWorker(start);
    const thread = new PgliteThread(worker);
    const ready = new Promise<void>((resolve, reject) => thread.pending.set(0, { resolve: () => resolve(), reject }));
    try {
      await ready;
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return thread;
  }

  /** Creates the database cluster in a child process (pglite-init.ts) and waits for it to exit. */
  private static async initialise(start: WorkerStart): Promise<void> {
    const fromSource = import.meta.url.endsWith('.ts');
    const script = fileURLToPath(new URL(`./pglite-init.${fromSource ? 'ts' : 'js'}`, import.meta.url));
    const child = spawn(
      process.execPath,
      ['--liftoff-only', ...(fromSource ? ['--import', tsxEsmEntry()] : []), script, JSON.stringify(start)],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0) {
      const reason = /^PGLITE_INIT_ERROR (.*)$/m.exec(stderr)?.[1] ?? `exit code ${code}`;
      throw new EmbeddedDatabaseError({ message: `the embedded database could not be created: ${reason}` });
    }
  }

  /** This client as drizzle's PGlite driver takes it. */
  asPglite(): PGlite {
    return this as unknown as PGlite;
  }

  /**
   * Runs this statement (outside transactions) ahead of the others waiting for PGlite: one PGlite runs one
   * statement at a time, and intake's insert must not queue behind those of tickets being processed.
   */
  putFirst(sql: string): void {
    this.firstSql.add(sql);
  }

  query(sql: string, params: unknown[] = [], options: QueryOptions = {}): Promise<Results> {
    const first = this.firstSql.has(sql) ? { first: true as const } : {};
    return this.send({ op: 'query', sql, params, rowMode: options.rowMode ?? 'object', ...first }) as Promise<Results>;
  }

  exec(sql: string): Promise<Results[]> {
    return this.send({ op: 'exec', sql }) as Promise<Results[]>;
  }

  async transaction<T>(run: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
    const id = (await this.send({ op: 'begin' })) as number;
    let closed = false;
    const tx: ThreadTransaction = {
      query: (sql, params = [], options = {}) => {
        if (closed)
          return Promise.reject(new EmbeddedDatabaseError({ message: 'the transaction has ended', code: '25P01' }));
        return this.send({
          op: 'query',
          sql,
          params,
          rowMode: options.rowMode ?? 'object',
          tx: id,
        }) as Promise<Results>;
      },
      exec: (sql) => tx.query(sql).then((r) => [r]),
      rollback: async () => {
        closed = true;
        await this.send({ op: 'end', tx: id, commit: false });
      },
      get closed() {
        return closed;
      },
    };
    let result: T;
    try {
      result = await run(tx);
    } catch (error) {
      if (!closed) {
        closed = true;
        await this.send({ op: 'end', tx: id, commit: false }).catch(() => {});
      }
      throw error;
    }
    if (!closed) {
      closed = true;
      await this.send({ op: 'end', tx: id, commit: true });
    }
    return result;
  }

  /**
   * The worker thread's view of the process memory (its heap is its own; RSS and external are the process's),
   * and the size of PGlite's WebAssembly memory in bytes (reserved size: what it has touched is in RSS).
   */
  memory(): Promise<NodeJS.MemoryUsage & { wasmMemory: number }> {
    return this.send({ op: 'memory' }) as Promise<NodeJS.MemoryUsage & { wasmMemory: number }>;
  }

  /** Closes PGlite (its data written out) and ends the thread. */
  async close(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.send({ op: 'close' });
    } finally {
      this.stopped = 'it was closed';
      await this.worker.terminate();
    }
  }

  private send(request: Request): Promise<unknown> {
    if (this.stopped) return Promise.reject(gone(this.stopped));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }
}

// Built, the worker is the .js beside this module. From TypeScript sources (tests, `npm run dev`) it is the .ts,
// loaded after tsx's loader is registered in the thread: Node 20 does not pass `--import` hooks on to workers,
// and tsx's default entry registers nothing off the main thread, so its ESM API is called.
function startWorker(start: WorkerStart): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = new URL(`./pglite-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  // A small young generation: PGlite's results pass through short-lived buffers, and a store thread left with
  // the default one (tens of MiB) holds that much garbage between scavenges.
  const options = { workerData: start, resourceLimits: { maxYoungGenerationSizeMb: 4 } };
  if (!fromSource) return new Worker(script, options);
  const boot = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); })`;
  return new Worker(boot, { eval: true, ...options });
}

/** tsx's `--import` entry, as `node --import tsx` resolves it, for a child process run from sources. */
function tsxEsmEntry(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: { '.': string } };
  return pathToFileURL(path.join(path.dirname(manifestPath), manifest.exports['.'])).href;
}

/** tsx's ESM API module, as its package's exports map names it for `import` (a CommonJS resolve gives the other). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(path.join(path.dirname(manifestPath), manifest.exports['./esm/api']!.import.default)).href;
}
