// The one catalogue of error codes. Core and agents throw TwisterError with a code from here;
// the HTTP error handler maps `httpStatus`, the registry turns it into a failed step result.
// The `when` of a 5xx code is also the sentence callers are shown instead of the error (public-error.ts): no data in it.

export const errorCatalogue = {
  VALIDATION_FAILED: {
    httpStatus: 400,
    retryable: false,
    when: 'input does not match a schema (request body, capability input, config value)',
  },
  MALFORMED_JSON: { httpStatus: 400, retryable: false, when: 'a request body is not valid JSON' },
  UNAUTHORIZED: { httpStatus: 401, retryable: false, when: 'API keys are configured and the request has no valid key' },
  FORBIDDEN: { httpStatus: 403, retryable: false, when: "the key's role does not allow the operation" },
  HOST_NOT_ALLOWED: {
    httpStatus: 403,
    retryable: false,
    when: "no API keys are configured and the Host header is not one of the instance's names (localhost, a loopback address, HOST, TWISTERLAB_ALLOWED_HOSTS): DNS rebinding",
  },
  ORIGIN_NOT_ALLOWED: {
    httpStatus: 403,
    retryable: false,
    when: "no API keys are configured and a browser sent the request from a page whose origin is not one of the instance's names",
  },
  APPROVAL_REQUIRED: {
    httpStatus: 403,
    retryable: false,
    when: 'a destructive capability was called outside a ticket, where no approval can bind to it',
  },
  NOT_FOUND: { httpStatus: 404, retryable: false, when: 'no route matches the request' },
  TICKET_NOT_FOUND: { httpStatus: 404, retryable: false, when: 'no ticket has the given id' },
  CAPABILITY_NOT_FOUND: { httpStatus: 404, retryable: false, when: 'no registered agent offers the capability id' },
  DEVICE_NOT_FOUND: { httpStatus: 404, retryable: false, when: 'the device id is not in the inventory' },
  DEVICE_EXISTS: { httpStatus: 409, retryable: false, when: 'a device is added with an id the inventory already has' },
  DEVICE_READ_ONLY: {
    httpStatus: 409,
    retryable: false,
    when: 'a device declared in TWISTERLAB_DEVICES_FILE (or `local`) is changed through the API',
  },
  RUNBOOK_NOT_FOUND: { httpStatus: 404, retryable: false, when: 'no runbook of the catalogue has the given id' },
  SERVICE_NOT_FOUND: { httpStatus: 404, retryable: false, when: 'the service name is not declared in configuration' },
  ARTIFACT_NOT_FOUND: { httpStatus: 404, retryable: false, when: 'no artifact (a screenshot) has the given id' },
  APPROVAL_NOT_FOUND: { httpStatus: 404, retryable: false, when: 'no approval has the given id' },
  APPROVAL_CONFLICT: {
    httpStatus: 409,
    retryable: false,
    when: 'an approval is no longer pending (already decided, expired or used) when it is approved or denied',
  },
  IDEMPOTENCY_CONFLICT: {
    httpStatus: 409,
    retryable: false,
    when: 'an Idempotency-Key is reused with a different request body',
  },
  INVALID_TRANSITION: {
    httpStatus: 409,
    retryable: false,
    when: 'a ticket is asked to move to a state its current state does not lead to',
  },
  TICKET_BUSY: {
    httpStatus: 409,
    retryable: true,
    when: 'another process holds the lease on a ticket (it is working on it) or claimed the step first; the work is tried again later',
  },
  BACKLOG_FULL: {
    httpStatus: 429,
    retryable: true,
    when: 'tickets queued or running reached TWISTERLAB_BACKLOG_LIMIT: nothing was stored; try again after Retry-After seconds',
  },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, retryable: false, when: 'a request body is larger than TWISTERLAB_BODY_LIMIT' },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, retryable: false, when: 'a request body is not application/json' },
  COMMAND_NOT_ALLOWED: {
    httpStatus: 422,
    retryable: false,
    when: "a command is not on the device's allow-list or is not a plain argv",
  },
  TARGET_NOT_ALLOWED: {
    httpStatus: 422,
    retryable: false,
    when: 'a host to probe (certificate, reachability) is not a host name or address, or resolves to a loopback, private, link-local or other internal address that, on the port probed, is neither the endpoint of a declared service or device nor on TWISTERLAB_PROBE_ALLOW',
  },
  URL_NOT_ALLOWED: {
    httpStatus: 422,
    retryable: false,
    when: 'a URL to browse is not http(s) or carries user-info, or its host resolves to a loopback, private, link-local or other internal address not on TWISTERLAB_BROWSER_ALLOW for its port',
  },
  OUTPUT_INVALID: {
    httpStatus: 500,
    retryable: false,
    when: 'a capability returned data that does not match its output schema',
  },
  CAPABILITY_FAILED: {
    httpStatus: 500,
    retryable: false,
    when: 'a capability threw an error that carries no code of its own',
  },
  INTERNAL: { httpStatus: 500, retryable: false, when: 'an unexpected error; details are logged, never returned' },
  COMMAND_FAILED: {
    httpStatus: 502,
    retryable: false,
    when: 'a command could not be started (program missing, not executable), or a device has no working SFTP subsystem',
  },
  DEVICE_BUSY: {
    httpStatus: 503,
    retryable: true,
    when: 'every lease of a device is taken (TWISTERLAB_DEVICE_CONCURRENCY commands already run on it, across workers) and none freed in time',
  },
  DEVICE_UNREACHABLE: {
    httpStatus: 502,
    retryable: true,
    when: 'an SSH device refused or did not answer the connection within the connect timeout',
  },
  HOST_KEY_UNKNOWN: {
    httpStatus: 502,
    retryable: false,
    when: 'an SSH device has no trusted host key yet; nothing is sent until one is trusted',
  },
  HOST_KEY_MISMATCH: {
    httpStatus: 502,
    retryable: false,
    when: 'an SSH device presented a host key other than the trusted one (possible impersonation)',
  },
  AUTH_FAILED: {
    httpStatus: 502,
    retryable: false,
    when: 'an SSH device refused every authentication method offered (key, agent, password)',
  },
  SERVICE_CHECK_FAILED: { httpStatus: 502, retryable: true, when: 'a health check could not be carried out at all' },
  SERVICE_QUERY_FAILED: {
    httpStatus: 502,
    retryable: true,
    when: 'the database agent could not connect to a declared PostgreSQL or Redis service within the timeout, or the service refused a query (statement_timeout, permission)',
  },
  PAGE_LOAD_FAILED: {
    httpStatus: 502,
    retryable: true,
    when: 'a page could not be loaded (name not resolved, connection refused, TLS error, too many redirects)',
  },
  STORE_LOCKED: { httpStatus: 503, retryable: false, when: 'another process holds the data directory' },
  STORE_UNAVAILABLE: { httpStatus: 503, retryable: true, when: 'the database cannot be reached' },
  BROWSER_UNAVAILABLE: {
    httpStatus: 503,
    retryable: false,
    when: 'the browser (Chromium) is not installed or could not be started',
  },
  SHUTTING_DOWN: { httpStatus: 503, retryable: true, when: 'the process is draining and takes no new work' },
  CAPABILITY_ABORTED: {
    httpStatus: 503,
    retryable: true,
    when: 'the caller cancelled a running capability (shutdown, client gone)',
  },
  STEP_INTERRUPTED: {
    httpStatus: 409,
    retryable: false,
    when: 'a process stopped while a step that is not idempotent was running: it may have had effects, so it is not run again and a human decides',
  },
  PAGE_TIMEOUT: { httpStatus: 504, retryable: true, when: 'a page did not load within TWISTERLAB_BROWSER_TIMEOUT_MS' },
  CAPABILITY_TIMEOUT: { httpStatus: 504, retryable: true, when: 'a capability did not finish within its timeout' },
  COMMAND_TIMEOUT: {
    httpStatus: 504,
    retryable: true,
    when: 'a command ran past its timeout; its process tree (local or remote) was killed',
  },
  PATH_NOT_ALLOWED: {
    httpStatus: 422,
    retryable: false,
    when: 'a backup or sync path is not absolute, has traversal, encoded traversal or a NUL byte, or resolves (links followed) outside TWISTERLAB_BACKUP_ROOTS',
  },
  BACKUP_NOT_FOUND: { httpStatus: 404, retryable: false, when: 'no backup has the given id' },
  BACKUP_CORRUPT: {
    httpStatus: 422,
    retryable: false,
    when: "a backup's file is missing, or its archive or a file in it does not match the recorded sha256",
  },
  BACKUP_FAILED: {
    httpStatus: 502,
    retryable: false,
    when: 'pg_dump, pg_restore or Redis failed while taking or restoring a backup',
  },
  RUNBOOK_INVALID: {
    httpStatus: 500,
    retryable: false,
    when: 'a runbook file does not match the runbook schema, or names an unknown capability, parameter or step (raised at load, naming file, runbook and field)',
  },
  TEMPLATE_UNRESOLVED: {
    httpStatus: 422,
    retryable: false,
    when: "a step's template ({{steps.…}}) names an output an earlier step did not produce",
  },
  CONFIG_INVALID: {
    httpStatus: 500,
    retryable: false,
    when: 'an environment variable is missing or malformed (raised at start)',
  },
} as const satisfies Record<string, { httpStatus: number; retryable: boolean; when: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export class TwisterError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TwisterError';
    this.code = code;
    this.retryable = errorCatalogue[code].retryable;
    this.details = details;
  }

  get httpStatus(): number {
    return errorCatalogue[this.code].httpStatus;
  }
}

export function isTwisterError(error: unknown): error is TwisterError {
  return error instanceof TwisterError;
}

/** A plain, serialisable view of an error, safe to store and return. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export function toErrorInfo(error: unknown, fallback: ErrorCode = 'CAPABILITY_FAILED'): ErrorInfo {
  if (isTwisterError(error)) {
    return {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.details ? { details: error.details } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: fallback, message, retryable: errorCatalogue[fallback].retryable };
}
