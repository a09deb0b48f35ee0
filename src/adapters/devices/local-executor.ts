// The local device's executor: argv only, no shell, its own process group, timeout, output cap (local-run.ts).
// By default every command is started by a spawn helper, a small long-lived process, rather than by the
// platform itself: measured at concurrency 10, a 500 MiB parent spawned `uptime` 4x slower than through the
// Node helper and blocked its event loop for each fork, and the native helper's posix_spawn is about twice as
// fast again (see bench/spawn). `direct` runs the commands in this process.
import type { CommandExecutor } from '../../core/ports.ts';
import { runArgv, SAFE_PATH } from './local-run.ts';
import {
  chooseSpawnHelper,
  createSpawnHelper,
  sharedSpawnHelper,
  type SpawnHelper,
  type SpawnHelperKind,
} from './spawn-helper.ts';

export { SAFE_PATH };

export interface LocalExecutor extends CommandExecutor {
  /** The spawn helper's pid while it runs; undefined when direct or not started yet. */
  helperPid(): number | undefined;
  /** The pids of the commands running in the spawn helper that the platform knows of (none when direct). */
  commandPids(): number[];
  /** Stops a helper of its own (`ownHelper`), killing what runs in it; the shared helper lives on. */
  close(): void;
}

export interface LocalExecutorOptions {
  /** Fork each command from this process instead of through the spawn helper. */
  direct?: boolean;
  /** A spawn helper for this executor alone rather than the process's shared one. */
  ownHelper?: boolean;
  /** Which helper: the native one when it is built, else the Node one, unless said (TWISTERLAB_SPAWN_HELPER). */
  helper?: SpawnHelperKind;
}

/** `searchPath`: where programs are looked up (absolute directories, `:`-separated); SAFE_PATH by default. */
export function createLocalExecutor(searchPath: string = SAFE_PATH, options: LocalExecutorOptions = {}): LocalExecutor {
  if (options.direct) {
    return {
      exec: (argv, execOptions) => runArgv(argv, execOptions, searchPath),
      helperPid: () => undefined,
      commandPids: () => [],
      close: () => {},
    };
  }
  const kind = options.helper ?? chooseSpawnHelper('auto');
  const helper: SpawnHelper = options.ownHelper ? createSpawnHelper(kind) : sharedSpawnHelper(kind);
  return {
    exec: (argv, execOptions) => helper.run(argv, execOptions, searchPath),
    helperPid: () => helper.pid(),
    commandPids: () => helper.commandPids(),
    close: () => {
      if (options.ownHelper) helper.close();
    },
  };
}
