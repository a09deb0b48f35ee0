// /api/v1/services: the declared services and their health as their users see it, for every role. The
// endpoint is shown without its user-info; a check younger than the cache window is reused, so a page left
// open does not hammer the services. Operators force a fresh check of one service.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HealthResult, ServiceChecker, ServiceDeclaration } from '../../core/ports.ts';
import { redactCredentials } from '../../core/service-declarations.ts';
import { redactValue } from '../../core/redaction.ts';
import { TwisterError } from '../../core/errors.ts';
import { errorResponses } from '../openapi.ts';
import { requireRole } from '../plugins/auth.ts';

export interface ServiceRouteDeps {
  serviceHealth: {
    services: () => readonly ServiceDeclaration[];
    checker: ServiceChecker;
    category: (name: string) => string | undefined;
    timeoutMs: number;
  };
}

/** How long a check is shown as current before the list checks again. */
const FRESH_MS = 15_000;

const serviceHealth = z
  .object({
    healthy: z.boolean(),
    detail: z.string(),
    latencyMs: z.number().nonnegative(),
    checkedAt: z.string().describe('ISO 8601'),
    failure: z.string().optional().describe('Why it is unhealthy, as the application would see it'),
  })
  .meta({ id: 'ServiceHealth', description: 'The outcome of the latest check of a service' });
const serviceView = z
  .object({
    name: z.string(),
    kind: z.string(),
    target: z.string().describe('The endpoint, user-info replaced by ***'),
    device: z.string().describe('The device the service lives on (local when none is named)'),
    category: z.string().optional(),
    health: serviceHealth,
  })
  .meta({ id: 'Service', description: 'A declared service and its latest health, credentials redacted' });

type Health = z.infer<typeof serviceHealth>;

export function serviceRoutes(deps: ServiceRouteDeps): FastifyPluginAsyncZod {
  const { services, checker, category, timeoutMs } = deps.serviceHealth;
  const latest = new Map<string, { at: number; health: Promise<Health> }>();
  const check = (service: ServiceDeclaration, fresh = false): Promise<Health> => {
    const cached = latest.get(service.name);
    if (!fresh && cached && Date.now() - cached.at < FRESH_MS) return cached.health;
    const health = checker.check(service, { timeoutMs }).then(
      (r: HealthResult): Health => ({
        healthy: r.healthy,
        detail: r.detail,
        latencyMs: r.latencyMs,
        checkedAt: new Date().toISOString(),
        ...(r.failure ? { failure: r.failure } : {}),
      }),
      // A checker reports an unhealthy service rather than throwing; a throw is a bug, shown without internals.
      (): Health => ({
        healthy: false,
        detail: 'the check could not run',
        latencyMs: 0,
        checkedAt: new Date().toISOString(),
      }),
    );
    latest.set(service.name, { at: Date.now(), health });
    return health;
  };
  const view = async (s: ServiceDeclaration, fresh = false): Promise<z.infer<typeof serviceView>> => {
    const cat = category(s.name);
    // The detail can quote an answer body or a driver message: redacted like every other output.
    return redactValue({
      name: s.name,
      kind: s.kind,
      target: redactCredentials(s.target),
      device: s.deviceId ?? 'local',
      ...(cat ? { category: cat } : {}),
      health: await check(s, fresh),
    });
  };
  return async (app) => {
    app.get(
      '/api/v1/services',
      {
        schema: {
          operationId: 'listServices',
          tags: ['services'],
          summary:
            'Declared services with their latest health (checked again when older than 15 s), credentials redacted',
          response: { 200: z.object({ items: z.array(serviceView) }).describe('The services') },
        },
      },
      async () => ({ items: await Promise.all(services().map((s) => view(s))) }),
    );

    app.post(
      '/api/v1/services/:name/check',
      {
        schema: {
          operationId: 'checkService',
          tags: ['services'],
          summary: 'Check one declared service now (operators)',
          params: z.strictObject({ name: z.string().min(1).max(128) }),
          response: { 200: serviceView.describe('The service and the health just checked'), ...errorResponses(404) },
        },
      },
      async (request) => {
        requireRole(request, 'operator', 'checking a service');
        const service = services().find((s) => s.name === request.params.name);
        if (!service)
          throw new TwisterError('SERVICE_NOT_FOUND', `no service named "${request.params.name}" is declared`, {
            service_name: request.params.name,
          });
        return view(service, true);
      },
    );
  };
}
