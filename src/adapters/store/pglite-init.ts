// Creates the embedded database's cluster (PGlite's initdb) in a short-lived process of its own, so that the
// memory initdb takes (a second WebAssembly instance, copies of the files) goes back to the system when it exits
// instead of staying in the server's process. Run by pglite-thread.ts with the store's start options as JSON.
import { PGlite } from '@electric-sql/pglite';
import type { WorkerStart } from './pglite-thread.ts';

const start = JSON.parse(process.argv[2] ?? '{}') as WorkerStart;
try {
  const db = await PGlite.create(start.dataDir, {
    postgresqlconf: start.settings,
    ...(start.initialMemory ? { initialMemory: start.initialMemory } : {}),
  });
  await db.close();
} catch (error) {
  process.stderr.write(`PGLITE_INIT_ERROR ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
