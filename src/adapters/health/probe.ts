// What every service probe shares: its options (deadline, the app's resolved credentials, the check's
// expectations), its result, and how a secret named in the services file is read at check time.
import { readFile } from 'node:fs/promises';
import { TwisterError } from '../../core/errors.ts';
import type { HealthFailure, SecretReference, ServiceCheckSpec, ServiceDeclaration } from '../../core/ports.ts';

/** The app's credentials with the password read; lives only for one check, never logged or returned. */
export interface AppCredentials {
  user: string;
  password?: string;
  database?: string;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** Aborts on the deadline or when the caller gives up. */
  signal: AbortSignal;
  app?: AppCredentials;
  check?: ServiceCheckSpec;
  /**
   * What the probe has got so far, read by the dispatcher when the probe throws or the deadline passes:
   * `query` once a PostgreSQL check query runs, so a deadline there counts as the query timing out.
   */
  progress: { reachable: boolean; phase: 'connect' | 'query' };
}

export interface ProbeResult {
  healthy: boolean;
  detail: string;
  failure?: HealthFailure;
  errorCode?: string;
  statusCode?: number;
}

export type Probe = (target: string, options: ProbeOptions) => Promise<ProbeResult>;

/** Looks up an environment variable by name; the composition root passes the configuration's. */
export type EnvLookup = (name: string) => string | undefined;

/** Settles with the promise, or rejects as soon as the signal aborts (the probe's cleanup still runs). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function readSecret(ref: SecretReference, service: string, env: EnvLookup): Promise<string> {
  if ('env' in ref) {
    const value = env(ref.env);
    if (value === undefined)
      throw new TwisterError(
        'CONFIG_INVALID',
        `service ${service}: app.password names the environment variable ${ref.env}, which is not set`,
        { service },
      );
    return value;
  }
  try {
    return (await readFile(ref.file, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    throw new TwisterError(
      'CONFIG_INVALID',
      `service ${service}: cannot read the app.password file ${ref.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { service },
    );
  }
}

/** The service's `app` with its password read now, so a rotated secret is picked up by the next check. */
export async function resolveApp(service: ServiceDeclaration, env: EnvLookup): Promise<AppCredentials | undefined> {
  if (!service.app) return undefined;
  const { user, password, database } = service.app;
  return {
    user,
    ...(password ? { password: await readSecret(password, service.name, env) } : {}),
    ...(database ? { database } : {}),
  };
}
