// POST /api/v1/intake/webhook/:source: a helpdesk's webhook (Zammad, GLPI, …) mapped by the sources file. A source
// with a secret is authenticated by the HMAC of the raw body (an API key may be sent as well, but is not needed);
// a source without one needs an operator's key (header or `Authorization: Bearer`). The route parses its JSON in
// its own plugin so that only it keeps the raw bytes, under the same body limit as every route.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertRole, type Caller } from '../../core/access.ts';
import { TwisterError } from '../../core/errors.ts';
import {
  receiveWebhook,
  signatureMatches,
  type WebhookIntakeDeps,
  type WebhookSources,
} from '../../core/intake/webhook.ts';
import { WEBHOOK_SOURCE_NAME } from '../../core/ticket.ts';
import { errorResponses } from '../openapi.ts';
import { ticketSchema } from '../../core/operations/ticket-schemas.ts';

export interface WebhookRouteDeps extends WebhookIntakeDeps {
  sources: WebhookSources;
}

export function registerWebhookIntake(app: FastifyInstance, deps: WebhookRouteDeps): void {
  void app.register(async (scope) => {
    const raws = new WeakMap<FastifyRequest, Buffer>();
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      raws.set(request, body as Buffer);
      try {
        done(null, JSON.parse((body as Buffer).toString('utf8')));
      } catch {
        done(new TwisterError('MALFORMED_JSON', 'the body is not valid JSON'), undefined);
      }
    });

    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/intake/webhook/:source',
      {
        config: { publicRoute: true },
        schema: {
          operationId: 'receiveHelpdeskWebhook',
          tags: ['tickets'],
          summary:
            'A helpdesk webhook, mapped to a ticket by its source in TWISTERLAB_WEBHOOK_SOURCES_FILE; a repeat for an open ticket is a comment on it',
          description:
            'A source with a secret is authenticated by the HMAC signature of the raw body (`sha256=<hex>` in X-Hub-Signature-256, or as the source says); one without needs an operator API key.',
          params: z.object({ source: z.string().regex(WEBHOOK_SOURCE_NAME, 'is not a source name') }),
          body: z.record(z.string(), z.unknown()),
          response: {
            200: z
              .object({ ticket: ticketSchema, outcome: z.enum(['commented', 'unchanged']) })
              .describe(
                'A repeat delivery for an open ticket: its new text became a comment, or it carried nothing new',
              ),
            202: z.object({ ticket: ticketSchema, outcome: z.literal('created') }).describe('A new ticket'),
            ...errorResponses(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const name = request.params.source;
        const source = deps.sources.get(name);
        if (!source)
          throw new TwisterError('NOT_FOUND', `no webhook source ${name} in TWISTERLAB_WEBHOOK_SOURCES_FILE`);
        let caller: Caller;
        if (source.secret) {
          const presented = request.headers[source.signatureHeader];
          if (
            !signatureMatches(
              source,
              raws.get(request) ?? Buffer.alloc(0),
              typeof presented === 'string' ? presented : undefined,
            )
          ) {
            throw new TwisterError(
              'UNAUTHORIZED',
              `missing or wrong signature: send ${source.algorithm}=<hex HMAC of the body> in ${source.signatureHeader}`,
            );
          }
          caller = request.identity ?? { name: `webhook:${name}`, role: 'operator' };
        } else {
          if (!request.identity)
            throw new TwisterError(
              'UNAUTHORIZED',
              'missing API key: this source has no secret, so send a key (header or Authorization: Bearer)',
            );
          assertRole(request.identity, 'operator', `POST /api/v1/intake/webhook/${name}`);
          caller = request.identity;
        }
        const result = await receiveWebhook(deps, source, request.body, caller);
        reply.header('location', `/api/v1/tickets/${result.ticket.id}`);
        return reply.status(result.outcome === 'created' ? 202 : 200).send(result);
      },
    );
  });
}
