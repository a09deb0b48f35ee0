// The embedded database's own thread: it owns the PGlite instance (the WASM Postgres and its memory) and answers
// the main thread's queries, so that running SQL never blocks the HTTP event loop. One request at a time reaches
// PGlite through its own mutex; a transaction holds that mutex from `begin` until `commit` or `rollback`, and the
// other requests queue behind it, exactly as they would on an in-process PGlite.
// Only this module and open-store.ts's thread client know the message protocol (pglite-thread.ts).
import { setFlagsFromString } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { PreparedStatements } from './pglite-prepared.ts';
import type { WorkerReply, WorkerRequest, WorkerStart } from './pglite-thread.ts';

// Dates and intervals stay text, as drizzle's PGlite driver asks for them: drizzle maps them itself.
const asText = (value: string) => value;
const PARSERS = Object.fromEntries(
  [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map((t) => [
    t,
    asText,
  ]),
);

interface OpenTransaction {
  tx: Transaction;
  /** Commits (or rolls back) and answers request `requestId` once PGlite has. */
  end(commit: boolean, requestId: number): void;
}

// PGlite's WebAssembly (8.7 MB) compiled by the baseline compiler only: optimising all of Postgres again in the
// background costs ~50 MiB of RSS that the allocator keeps, for no throughput this store measurably needs
// (README, "Where the memory goes"). V8 flags are the process's; set before PGlite compiles its module.
setFlagsFromString('--liftoff-only');

/**
 * Where requests wait for PGlite: one at a time, those marked `first` (intake's insert) before the rest, each lane
 * in arrival order. A transaction holds its turn from `begin` until it has ended; the statements inside it and its
 * end do not wait (they run in the turn it holds), as on PGlite itself.
 * PGlite runs a statement synchronously, so requests that arrive meanwhile wait in this thread's message port, not
 * here: the next turn is given a tick later (setImmediate), once the port has handed over what it holds, so that a
 * marked request that arrived during the last statement is seen before the unmarked ones that arrived earlier.
 */
function createTurns(): (first: boolean) => Promise<() => void> {
  const lanes: [Array<() => void>, Array<() => void>] = [[], []];
  let busy = false;
  const pick = () => {
    const admit = lanes[0].shift() ?? lanes[1].shift();
    if (admit) admit();
    else busy = false;
  };
  return (first) =>
    new Promise((admitted) => {
      lanes[first ? 0 : 1].push(() => {
        let released = false;
        admitted(() => {
          if (released) return;
          released = true;
          setImmediate(pick);
        });
      });
      if (!busy) {
        busy = true;
        setImmediate(pick);
      }
    });
}

const turn = createTurns();
const port = parentPort!;
const start = workerData as WorkerStart;
const transactions = new Map<number, OpenTransaction>();
let nextTransaction = 1;

function reply(message: WorkerReply): void {
  port.postMessage(message);
}

/** The error as plain data: its message and the fields callers test (SQLSTATE code, constraint, detail...). */
function errorData(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const data: Record<string, unknown> = { message: error.message, name: error.name };
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') data[key] = value;
  }
  return data;
}

async function main(): Promise<void> {
  let db: PGlite;
  try {
    db = await PGlite.create(start.dataDir, {
      postgresqlconf: start.settings,
      ...(start.initialMemory ? { initialMemory: start.initialMemory } : {}),
    });
  } catch (error) {
    reply({ id: 0, error: errorData(error) });
    return;
  }
  reply({ id: 0, result: null });
  const prepared = new PreparedStatements(db, PARSERS);

  const handle = async (request: WorkerRequest): Promise<unknown> => {
    switch (request.op) {
      case 'query': {
        if (request.tx !== undefined) {
          const tx = transactions.get(request.tx)?.tx;
          if (!tx) throw Object.assign(new Error('the transaction has ended'), { code: '25P01' });
          const result = await tx.query(request.sql, request.params, { rowMode: request.rowMode, parsers: PARSERS });
          return { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows };
        }
        const release = await turn(request.first === true);
        try {
          const result = await prepared.query(request.sql, request.params, request.rowMode);
          return { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows };
        } finally {
          release();
        }
      }
      case 'exec': {
        const release = await turn(false);
        try {
          const results = await db.exec(request.sql);
          return results.map((r) => ({ rows: r.rows, fields: r.fields, affectedRows: r.affectedRows }));
        } finally {
          release();
        }
      }
      case 'begin':
        return await begin(db, await turn(false));
      case 'end': {
        const open = transactions.get(request.tx);
        if (!open) throw Object.assign(new Error('the transaction has ended'), { code: '25P01' });
        open.end(request.commit, request.id);
        return undefined; // answered when PGlite has committed or rolled back
      }
      case 'memory':
        return { ...process.memoryUsage(), wasmMemory: wasmMemoryBytes(db) };
      case 'close': {
        const release = await turn(false);
        try {
          await db.close();
        } finally {
          release();
        }
        return null;
      }
    }
  };

  port.on('message', (request: WorkerRequest) => {
    handle(request)
      .then(
        (result) => {
          if (request.op !== 'end') reply({ id: request.id, result });
        },
        (error: unknown) => reply({ id: request.id, error: errorData(error) }),
      )
      .finally(() => {
        if (request.op === 'close') port.close();
      });
  });
}

/** The size of PGlite's WebAssembly linear memory (grown on demand, never given back); not in its public API. */
function wasmMemoryBytes(db: PGlite): number {
  return (db as unknown as { mod?: { HEAPU8?: Uint8Array } }).mod?.HEAPU8?.byteLength ?? 0;
}

/** Opens a transaction that stays open (holding PGlite and its turn) until the main thread ends it. */
function begin(db: PGlite, release: () => void): Promise<number> {
  const id = nextTransaction++;
  return new Promise<number>((opened, failedToOpen) => {
    let endRequest: number | undefined;
    db.transaction(async (tx) => {
      const commit = await new Promise<boolean>((resolve) => {
        transactions.set(id, {
          tx,
          end: (c, requestId) => {
            endRequest = requestId;
            resolve(c);
          },
        });
        opened(id);
      });
      // Not committing: PGlite rolls back and skips its COMMIT.
      if (!commit) await tx.rollback();
    })
      .then(
        () => {
          if (endRequest !== undefined) reply({ id: endRequest, result: null });
        },
        (error: unknown) => {
          if (endRequest === undefined) failedToOpen(error);
          else reply({ id: endRequest, error: errorData(error) });
        },
      )
      .finally(() => {
        transactions.delete(id);
        release();
      });
  });
}

void main();
