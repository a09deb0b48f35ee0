// A ticket operation (core/operations) as a REST route: the URL's `:id` fills the operation's id field, the rest of
// its input is the body (POST) or the query string (GET), validated by Fastify with the operation's own schema; the
// answer is the operation's output (or that output under one key, `{ ticket }`), which Fastify checks on the way out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Operation, OperationContext } from '../../core/operations/operation.ts';
import { errorResponses, type Tag } from '../openapi.ts';
import { requireRole } from '../plugins/auth.ts';

export interface RestBinding<O> {
  method: 'GET' | 'POST';
  url: string;
  operationId: string;
  tag: Tag;
  summary: string;
  /** The input field the URL's `:id` fills (e.g. `ticketId`). */
  idField?: string;
  /** What the success answer is, in the document. */
  answer: string;
  /** The answer is `{ [key]: output }` (REST names the resource it returns). */
  wrapIn?: string;
  /** The success status; 200 unless said. */
  status?: number;
  /** The route's own error statuses (those every route shares are added by openapi.ts). */
  errors: number[];
  /** Request headers the route reads, and what they add to the call. */
  headers?: { schema: z.ZodObject; context: (headers: Record<string, unknown>) => Partial<OperationContext> };
  /** Answers differently than with the output (status by outcome, headers); `responses` documents it. */
  reply?: { responses: Record<number, z.ZodType>; send: (output: O, reply: FastifyReply) => FastifyReply };
}

type Fields = Record<string, unknown>;

export function registerOperationRoute<I extends z.ZodObject, O extends z.ZodType, S>(
  app: FastifyInstance,
  operation: Operation<I, O, S>,
  binding: RestBinding<z.output<O>>,
  service: () => S,
): void {
  const { idField } = binding;
  const fields = idField ? operation.input.omit({ [idField]: true } as never) : operation.input;
  const takesFields = Object.keys(fields.shape).length > 0;
  // A body whose every field may be left out may itself be left out.
  const allOptional = Object.values(fields.shape as Record<string, z.ZodType>).every(
    (field) => field.safeParse(undefined).success,
  );
  const input = binding.method === 'GET' ? 'querystring' : 'body';
  const answer = binding.wrapIn ? z.object({ [binding.wrapIn]: operation.output }) : operation.output;
  const status = binding.status ?? 200;
  app.withTypeProvider<ZodTypeProvider>().route({
    method: binding.method,
    url: binding.url,
    config: { rolesCheckedByHandler: true },
    schema: {
      operationId: binding.operationId,
      tags: [binding.tag],
      summary: binding.summary,
      ...(binding.headers ? { headers: binding.headers.schema } : {}),
      ...(idField ? { params: z.strictObject({ id: operation.input.shape[idField] as z.ZodType }) } : {}),
      ...(takesFields ? { [input]: input === 'body' && allOptional ? fields.default({}) : fields } : {}),
      response: {
        ...(binding.reply?.responses ?? { [status]: answer.describe(binding.answer) }),
        ...errorResponses(...binding.errors),
      },
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      requireRole(request, operation.role, `${request.method} ${request.routeOptions.url}`);
      const given = (input === 'body' ? request.body : request.query) as Fields | undefined;
      const params = request.params as { id?: string };
      const value = { ...given, ...(idField ? { [idField]: params.id } : {}) } as z.output<I>;
      const context = binding.headers?.context(request.headers as Fields) ?? {};
      const output = (await operation.run(service(), request.identity, value, {
        source: 'api',
        ...context,
      })) as z.output<O>;
      if (binding.reply) return binding.reply.send(output, reply);
      return reply.status(status).send(binding.wrapIn ? { [binding.wrapIn]: output } : output);
    },
  });
}
