// PostgreSQL backups with pg_dump's custom format, restored with pg_restore --clean in one transaction. The
// password goes to the child in PGPASSWORD only: never in argv, where any local user could read it.
import { execFile } from 'node:child_process';
import type { BackupEngine } from '../../core/backup.ts';
import { TwisterError } from '../../core/errors.ts';
import { splitPassword, type ServiceTargets } from './service-target.ts';
import fs from 'node:fs/promises';
import path from 'node:path';

function run(program: string, args: string[], password: string | undefined, signal: AbortSignal): Promise<void> {
  const env: NodeJS.ProcessEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', PGCONNECT_TIMEOUT: '10', ...(password ? { PGPASSWORD: password } : {}) };
  return new Promise((resolve, reject) => {
    execFile(program, args, { env, signal, maxBuffer: 1 << 20 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const message = String(stderr).split(password || '\u0000').join('***').trim().slice(0, 500) || error.message;
      reject(new TwisterError('BACKUP_FAILED', `${program} failed: ${message}`, { program }));
    });
  });
}

export function createPostgresEngine(targets: ServiceTargets): BackupEngine {
  return {
    resolve: async ({ target }) => targets.resolve(target, 'postgres'),
    dump: async (resolved, file, signal) => {
      const { url, password } = splitPassword(targets.url(resolved.target, resolved.details.source, 'postgres'));
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const partial = `${file}.partial`;
      await run('pg_dump', ['--format=custom', '--no-password', `--file=${partial}`, `--dbname=${url}`], password, signal);
      await fs.rename(partial, file);
      return { format: 'pg_dump custom' };
    },
    restore: async (record, file, signal) => {
      const { url, password } = splitPassword(targets.url(record.target, record.details.source, 'postgres'));
      // --clean drops each saved object before recreating it; one transaction: all of it or none.
      await run('pg_restore', ['--clean', '--if-exists', '--single-transaction', '--exit-on-error', '--no-owner', '--no-password', `--dbname=${url}`, file], password, signal);
      return { restored: 'database objects in the dump, with their data' };
    },
  };
}
