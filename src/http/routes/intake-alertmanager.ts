// POST /api/v1/intake/alertmanager: Alertmanager's webhook receiver. Alertmanager sends its `http_config`
// credentials as `Authorization: Bearer <key>`, which the auth plugin accepts on every route.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { alertmanagerPayload, receiveAlerts, type AlertIntakeDeps } from '../../core/intake/alertmanager.ts';
import { errorResponses } from '../openapi.ts';

export function registerAlertmanagerIntake(app: FastifyInstance, deps: AlertIntakeDeps): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/intake/alertmanager',
    {
      schema: {
        operationId: 'receiveAlertmanagerAlerts',
        tags: ['tickets'],
        summary: 'Alertmanager webhook (payload version 4): one ticket per alert fingerprint while it is open',
        body: alertmanagerPayload,
        response: {
          200: z
            .object({
              results: z.array(
                z.object({ fingerprint: z.string(), ticketId: z.string().nullable(), outcome: z.string() }),
              ),
            })
            .describe('What became of each alert'),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => ({ results: await receiveAlerts(deps, request.body, request.identity) }),
  );
}
