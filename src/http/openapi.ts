// The OpenAPI document (`/docs/json`) as an artefact clients generate code from. Conventions every route follows
// (the lint test in test/api/openapi.test.ts holds them): an `operationId`, one tag of TAGS, response schemas from
// zod, and the route's own error statuses through `errorResponses(...)`. What every route shares is added here:
// 400 when it takes input, 401 unless it is public, 403 (a role, or a Host a keyless instance does not answer to),
// 413 when it takes a body, 500 always. Components no operation uses are left out.
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { errorCatalogue, type ErrorCode } from '../core/errors.ts';
import { errorResponse } from './schemas.ts';

/** The tags of the document, in the order the docs show them. */
export const TAGS = [
  { name: 'tickets', description: 'Submit, list and follow tickets; answer them as their requester' },
  { name: 'approvals', description: 'Steps that wait for a human decision' },
  { name: 'runbooks', description: 'The runbook catalogue and dry runs' },
  { name: 'capabilities', description: 'Agents, their capabilities, direct calls and the whole loop in one call' },
  { name: 'devices', description: 'The device inventory and SSH host keys' },
  { name: 'services', description: 'Declared services and their health' },
  { name: 'audit', description: 'The append-only audit trail' },
  { name: 'artifacts', description: 'Files agents produced (screenshots)' },
  { name: 'console', description: 'Console sign-in: an API key exchanged for a session cookie' },
  { name: 'health', description: 'Liveness for load balancers' },
] as const;
export type Tag = (typeof TAGS)[number]['name'];

const WHAT: Partial<Record<number, string>> = {
  400: 'Malformed JSON, an unknown field, a value out of range or refused text (the message names the field)',
  401: 'No API key, or an unknown one',
  403: "The key's role may not do this; or, on an instance without API keys, the Host or Origin is not one of its names",
  404: 'Not found',
  409: 'Conflicts with the current state (or an idempotency key reused with another body)',
  413: 'The body is over the size limit',
  422: 'Understood but refused (e.g. a command not on the allow-list)',
  429: 'Too many requests',
  500: 'Server error: the code, a fixed sentence and the request id the real error is logged under',
  502: 'A device or service behind the platform failed or refused',
  503: 'Passing refusal (shutting down, store unreachable); Retry-After says when to try again',
  504: 'A command or call timed out',
};

const EXAMPLES: Partial<Record<number, { code: ErrorCode; message: string }>> = {
  400: { code: 'VALIDATION_FAILED', message: 'invalid body: description: must not be empty' },
  401: {
    code: 'UNAUTHORIZED',
    message: 'missing API key: send it in the X-API-Key header or as Authorization: Bearer <key>',
  },
  403: { code: 'FORBIDDEN', message: 'POST /api/v1/tickets needs the operator role; this key is a viewer' },
  404: { code: 'TICKET_NOT_FOUND', message: 'no ticket 0193c1f2-7d2a-7c4e-9b1a-3f0e2d1c4b5a' },
  409: { code: 'INVALID_TRANSITION', message: 'a ticket cannot move from resolved to resolved' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
};
const EXAMPLE_REQUEST_ID = '0193c1f2-7d2a-7c4e-9b1a-3f0e2d1c4b5a';

function errorMedia(status: number, description?: string) {
  const example =
    status >= 500
      ? { code: 'INTERNAL', message: errorCatalogue.INTERNAL.when, requestId: EXAMPLE_REQUEST_ID }
      : EXAMPLES[status];
  return {
    description: description ?? WHAT[status] ?? 'Error',
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/Error' },
        ...(example ? { example: { error: example } } : {}),
      },
    },
  };
}

/**
 * A route's own error statuses (those not added for every route), answered with the error envelope, e.g.
 * `response: { 200: ticketSchema, ...errorResponses(404, 409) }`. Fastify also validates the error body with it.
 */
export function errorResponses<S extends number>(
  ...statuses: S[]
): Record<S, { description: string; content: { 'application/json': { schema: typeof errorResponse } } }> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: WHAT[status] ?? 'Error', content: { 'application/json': { schema: errorResponse } } },
    ]),
  ) as Record<S, never>;
}

const zodTransform = createJsonSchemaTransform({});

type JsonObject = Record<string, unknown>;

/** The zod transform, then the error answers every route shares and `security: []` on public routes. */
export function openApiTransform(isPublic: (url: string) => boolean): SwaggerTransform {
  return (document) => {
    const result = zodTransform(document as Parameters<typeof zodTransform>[0]) as { schema: JsonObject; url: string };
    const schema = result.schema;
    if (!schema || schema.hide) return result;
    const responses: JsonObject = { ...(schema.response as JsonObject | undefined) };
    const add = (status: number) => {
      if (!(String(status) in responses) && !(`${String(status)[0]}xx` in responses))
        responses[status] = errorMedia(status);
    };
    const publicRoute =
      (document.route as { config?: { publicRoute?: boolean } }).config?.publicRoute === true || isPublic(result.url);
    if (schema.body || schema.querystring || schema.params || schema.headers) add(400);
    if (!publicRoute) add(401);
    add(403);
    if (schema.body) add(413);
    add(500);
    for (const [status, response] of Object.entries(responses)) {
      // Our own envelope entries get an example; the zod transform kept them as `content`.
      const media = (response as { content?: Record<string, JsonObject> }).content?.['application/json'];
      if (media && (media.schema as JsonObject | undefined)?.$ref === '#/components/schemas/Error' && !media.example) {
        responses[status] = {
          ...(response as JsonObject),
          content: { 'application/json': errorMedia(Number(status)).content['application/json'] },
        };
      }
    }
    return { ...result, schema: { ...schema, response: responses, ...(publicRoute ? { security: [] } : {}) } };
  };
}

const zodTransformObject = createJsonSchemaTransformObject({});

/** The zod components (both an input and an output form of each), without those no operation refers to. */
export const openApiTransformObject: SwaggerTransformObject = (document) => {
  const spec = zodTransformObject(document) as JsonObject & { components?: { schemas?: Record<string, unknown> } };
  const schemas = spec.components?.schemas ?? {};
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith(COMPONENT)) {
        const id = child.slice(COMPONENT.length);
        if (!used.has(id)) {
          used.add(id);
          visit(schemas[id]);
        }
      } else visit(child);
    }
  };
  visit(spec.paths);
  const kept = Object.fromEntries(Object.entries(schemas).filter(([id]) => used.has(id)));
  return { ...spec, components: { ...spec.components, schemas: kept } } as ReturnType<SwaggerTransformObject>;
};

const COMPONENT = '#/components/schemas/';
