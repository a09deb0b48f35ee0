// PostgreSQL backups with pg_dump's custom format (streamed from its stdout into the archive, which TwisterLab
// writes itself, never through a link), restored with pg_restore --clean in one transaction. The password goes to
// the child in PGPASSWORD only: never in argv, where any local user could read it.
import { execFile, spawn } from 'node:child_process';
import type { BackupEngine } from '../../core/backup.ts';
import { TwisterError } from '../../core/errors.ts';
import { writeArchive } from './backup-files.ts';
import { splitPassword, type ServiceTargets } from './service-target.ts';

const envFor = (password: string | undefined): NodeJS.ProcessEnv => ({
  PATH: '/usr/local/bin:/usr/bin:/bin',
  PGCONNECT_TIMEOUT: '10',
  ...(password ? { PGPASSWORD: password } : {}),
});
const failure = (program: string, stderr: string, password: string | undefined, fallback: string) =>
  new TwisterError(
    'BACKUP_FAILED',
    `${program} failed: ${
      stderr
        .split(password || '\u0000')
        .join('***')
        .trim()
        .slice(0, 500) || fallback
    }`,
    { program },
  );

function run(program: string, args: string[], password: string | undefined, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { env: envFor(password), signal, maxBuffer: 1 << 20 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      reject(failure(program, String(stderr), password, error.message));
    });
  });
}

/** Runs pg_dump with its output going into the archive; the archive is put in place only when pg_dump succeeded. */
async function dumpInto(
  file: string,
  args: string[],
  password: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const child = spawn('pg_dump', args, { env: envFor(password), signal, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(failure('pg_dump', stderr, password, error.message)));
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(failure('pg_dump', stderr, password, `exit code ${code}`)),
    );
  });
  exited.catch(() => undefined);
  try {
    await writeArchive(file, child.stdout, { signal, complete: exited });
  } catch (error) {
    // The archive could not be written: pg_dump must not be left blocked on a pipe nobody reads.
    child.kill('SIGKILL');
    throw error;
  }
}

export function createPostgresEngine(targets: ServiceTargets): BackupEngine {
  return {
    resolve: async ({ target }) => targets.resolve(target, 'postgres'),
    dump: async (resolved, file, signal) => {
      const { url, password } = splitPassword(targets.url(resolved.target, resolved.details.source, 'postgres'));
      await dumpInto(file, ['--format=custom', '--no-password', `--dbname=${url}`], password, signal);
      return { format: 'pg_dump custom' };
    },
    restore: async (record, file, signal) => {
      const { url, password } = splitPassword(targets.url(record.target, record.details.source, 'postgres'));
      // --clean drops each saved object before recreating it; one transaction: all of it or none.
      await run(
        'pg_restore',
        [
          '--clean',
          '--if-exists',
          '--single-transaction',
          '--exit-on-error',
          '--no-owner',
          '--no-password',
          `--dbname=${url}`,
          file,
        ],
        password,
        signal,
      );
      return { restored: 'database objects in the dump, with their data' };
    },
  };
}
