// Turns a lost database connection into STORE_UNAVAILABLE (retryable), so callers and the queue can tell
// "try again later" from a bug; every other error passes through unchanged.
import { TwisterError } from '../../core/errors.ts';

// SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, crash recovery).
const unavailableStates = /^(08|57P)/;
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (unavailableStates.test(code) || unavailableErrnos.has(code))) return true;
    if (
      /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout|Client was closed and is not queryable/i.test(
        e.message,
      )
    )
      return true;
  }
  return false;
}

/** The driver's code of a connection error (ECONNREFUSED, 57P01...), without its message, which may name the host. */
function connectionErrorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{3,20}$/.test(code)) return code;
  }
  return undefined;
}

export async function guardStoreErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TwisterError || !isConnectionError(error)) throw error;
    const code = connectionErrorCode(error);
    throw new TwisterError(
      'STORE_UNAVAILABLE',
      `the store's database (PostgreSQL) cannot be reached${code ? ` (${code})` : ''}; try again shortly`,
      code ? { reason: code } : undefined,
      { cause: error },
    );
  }
}

/** A unique constraint (by name) refused a row: a key someone else wrote first. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const { code, constraint: name } = e as { code?: unknown; constraint?: unknown };
    if (code === '23505' && (name === constraint || e.message.includes(constraint))) return true;
  }
  return false;
}
