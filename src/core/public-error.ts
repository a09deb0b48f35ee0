// What a caller is told about a failure, on every surface (REST, JSON dispatch, MCP). A refusal (4xx) says what
// was wrong with the request. A server-side failure (5xx) says only its code, the catalogue's fixed sentence for
// that code and the request id under which the real error was logged: never a driver's message, SQL, parameters,
// a host or a stack.
import { errorCatalogue, type ErrorCode, type ErrorInfo } from './errors.ts';

export interface PublicError {
  code: ErrorCode;
  message: string;
  retryable?: boolean;
  details?: Record<string, unknown>;
  /** On a server error: the id the real error was logged with. */
  requestId?: string;
}

export function isServerError(code: ErrorCode): boolean {
  return errorCatalogue[code].httpStatus >= 500;
}

/** The fixed sentence shown for a server error of this code (the catalogue's `when`: written for people, no data). */
export function genericMessage(code: ErrorCode): string {
  return errorCatalogue[code].when;
}

/** A 4xx as it is; a 5xx reduced to code, fixed sentence, retryable and the request id. */
export function toPublicError(info: ErrorInfo, requestId: string): PublicError {
  if (!isServerError(info.code)) return info;
  return { code: info.code, message: genericMessage(info.code), retryable: info.retryable, requestId };
}
