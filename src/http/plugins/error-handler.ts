// One error handler for every route: TwisterError codes map to HTTP status from the catalogue, framework
// errors (bad JSON, body too large, schema validation) get the matching code, and every 5xx hides internals:
// its body is the code, the catalogue's fixed sentence and the request id the real error is logged with.
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { errorCatalogue, isTwisterError, type ErrorCode } from '../../core/errors.ts';
import { genericMessage } from '../../core/public-error.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown>; requestId?: string };
}

const frameworkCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

export function toErrorBody(error: FastifyError | Error, requestId: string): { status: number; body: ErrorBody } {
  const { status, body } = describeError(error);
  if (status < 500) return { status, body };
  return { status, body: { error: { code: body.error.code, message: genericMessage(body.error.code), requestId } } };
}

function describeError(error: FastifyError | Error): { status: number; body: ErrorBody } {
  if (isTwisterError(error)) {
    return {
      status: error.httpStatus,
      body: {
        error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
      },
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map(
      (v) => `${v.instancePath ? v.instancePath.slice(1).replaceAll('/', '.') : '(root)'}: ${v.message}`,
    );
    const where = (error as FastifyError).validationContext ?? 'request';
    return {
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: `invalid ${where}: ${issues.join('; ')}` } },
    };
  }
  const fastifyCode = (error as FastifyError).code;
  const mapped = fastifyCode ? frameworkCodes[fastifyCode] : undefined;
  if (mapped) {
    const message = mapped === 'MALFORMED_JSON' ? `request body is not valid JSON: ${error.message}` : error.message;
    return { status: errorCatalogue[mapped].httpStatus, body: { error: { code: mapped, message } } };
  }
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    return {
      status,
      body: { error: { code: status === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED', message: error.message } },
    };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: error.message } } };
}

/** Seconds a client should wait before trying again a request refused for a passing reason (the store is down). */
export const RETRY_AFTER_SECONDS = 2;

/**
 * The Retry-After of a refusal that may pass (a full backlog: 429; shutting down, store down: 503), from the error's
 * own `retryAfterSeconds` when it says; undefined for a refusal that will not pass by waiting.
 */
export function retryAfterOf(
  status: number,
  code: ErrorCode,
  details: Record<string, unknown> | undefined,
): number | undefined {
  if ((status !== 503 && status !== 429) || !errorCatalogue[code].retryable) return undefined;
  const given = details?.retryAfterSeconds;
  return typeof given === 'number' && given > 0 ? given : RETRY_AFTER_SECONDS;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = toErrorBody(error, request.id);
    const retryAfter = retryAfterOf(status, body.error.code, isTwisterError(error) ? error.details : undefined);
    const passing = status === 503 && retryAfter !== undefined;
    // The request id is in the fields too: the answer names it, so the log line can be found from it.
    // An outage is logged once per request as a warning, not as a stack trace per request.
    if (passing) request.log.warn({ code: body.error.code, requestId: request.id }, error.message);
    else if (status >= 500)
      request.log.error({ err: error, code: body.error.code, requestId: request.id }, 'request failed');
    else request.log.info({ code: body.error.code }, body.error.message);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    return reply
      .status(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });
}
