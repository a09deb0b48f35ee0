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
    if (/Connection terminated|connection timeout|Client has encountered a connection error/i.test(e.message)) return true;
  }
  return false;
}

export async function guardStoreErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TwisterError || !isConnectionError(error)) throw error;
    throw new TwisterError('STORE_UNAVAILABLE', 'the database cannot be reached', undefined, { cause: error });
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
