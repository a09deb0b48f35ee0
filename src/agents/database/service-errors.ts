// Errors of a database connection as SERVICE_QUERY_FAILED, without the service's credentials.
import { TwisterError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redaction.ts';

/** The text with any URL credentials and the target's own password removed. */
export function redactForTarget(text: string, target: string): string {
  let shown = redactSecrets(text);
  try {
    const password = decodeURIComponent(new URL(target).password);
    if (password.length > 0) shown = shown.split(password).join('***');
  } catch {
    // Not a URL: nothing more to remove.
  }
  return shown;
}

export function serviceError(error: unknown, what: string, target: string, timeoutMs: number): TwisterError {
  if (error instanceof TwisterError) return error;
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const raw = typeof e?.message === 'string' ? e.message : String(error);
  const timedOut = e?.code === '57014' || /timeout|timed out/i.test(raw);
  const why = timedOut ? `no answer within ${timeoutMs} ms (${raw})` : raw;
  return new TwisterError('SERVICE_QUERY_FAILED', redactForTarget(`${what}: ${why}`.slice(0, 500), target), {
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  });
}

/** Settles with the promise, or rejects as soon as the signal aborts (cleanup is the caller's). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
