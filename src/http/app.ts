// buildApp(deps): the Fastify application, separate from listen() so tests can inject() into it.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ApiKeyConfig } from '../config.ts';
import type { MetricsPort } from '../core/metrics-port.ts';
import type { McpHttpSessions } from '../mcp/http-sessions.ts';
import type { OverviewSource } from '../core/overview.ts';
import { openApiTransform, openApiTransformObject, TAGS } from './openapi.ts';
import { createKeyMatcher, isPublicPath, registerAuth } from './plugins/auth.ts';
import { consolePlugin } from './plugins/console.ts';
import { registerErrorHandling } from './plugins/error-handler.ts';
import { registerHostCheck } from './plugins/host-check.ts';
import { createSessionStore } from './plugins/session-store.ts';
import { sessionRoutes } from './plugins/session-routes.ts';
import { registerTextGuard } from './plugins/text-guard.ts';
import { approvalRoutes, type ApprovalRouteDeps } from './routes/approval-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { artifactRoutes, type ArtifactRouteDeps } from './routes/artifact-routes.ts';
import { capabilityRoutes, type CapabilityRouteDeps } from './routes/capability-routes.ts';
import { deviceRoutes, type DeviceRouteDeps } from './routes/device-routes.ts';
import { serviceRoutes, type ServiceRouteDeps } from './routes/service-routes.ts';
import { healthRoutes, type HealthRouteDeps } from './routes/health-routes.ts';
import { mcpRoutes } from './routes/mcp-routes.ts';
import { notificationRoutes, type NotificationRouteDeps } from './routes/notification-routes.ts';
import { runbookRoutes, type RunbookRouteDeps } from './routes/runbook-routes.ts';
import { overviewRoutes } from './routes/overview-routes.ts';
import { ticketFeedRoutes } from './routes/ticket-feed.ts';
import { ticketRoutes, type TicketRouteDeps } from './routes/ticket-routes.ts';

export interface AppDeps
  extends
    TicketRouteDeps,
    CapabilityRouteDeps,
    HealthRouteDeps,
    DeviceRouteDeps,
    ArtifactRouteDeps,
    ApprovalRouteDeps,
    RunbookRouteDeps,
    NotificationRouteDeps {
  serviceHealth?: ServiceRouteDeps['serviceHealth'];
  logger: FastifyBaseLogger;
  metrics: MetricsPort;
  apiKeys: readonly ApiKeyConfig[];
  apiKeyHeader: string;
  /** Names a keyless instance answers to besides its loopback names. */
  allowedHosts: readonly string[];
  bodyLimit: number;
  mcp: McpHttpSessions;
  /** The web console's build (index.html, assets/), served at `/` when given. */
  consoleDir?: string;
  /** The overview's figures, when the store can count them. */
  overview?: OverviewSource;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    // Ticket ids come from the client only on lookups; request ids are ours.
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  registerTextGuard(app);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.observeHttpRequest({
      method: request.method,
      route,
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
    if (reply.statusCode >= 500)
      request.log.warn({ route, status: reply.statusCode }, 'request answered with a server error');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'TwisterLab API',
        version: deps.version,
        license: { name: 'MIT', identifier: 'MIT' },
        description:
          'Autonomous technical support: tickets, agents, capabilities. Every error is the `Error` envelope; ' +
          `send the API key in the ${deps.apiKeyHeader} header (or as Authorization: Bearer).`,
      },
      servers: [{ url: '/', description: 'This instance' }],
      tags: TAGS.map((tag) => ({ ...tag })),
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: deps.apiKeyHeader },
          bearer: { type: 'http', scheme: 'bearer', description: 'The same API key, as a bearer token' },
        },
      },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
    transform: openApiTransform(isPublicPath),
    transformObject: openApiTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerHostCheck(app, { keysConfigured: deps.apiKeys.length > 0, allowedHosts: deps.allowedHosts });
  const sessions = createSessionStore();
  registerAuth(app, { keys: deps.apiKeys, header: deps.apiKeyHeader, sessions });
  await app.register(
    sessionRoutes({ sessions, matchKey: createKeyMatcher(deps.apiKeys), keysConfigured: deps.apiKeys.length > 0 }),
  );
  if (deps.consoleDir) await app.register(consolePlugin({ dir: deps.consoleDir }));
  await app.register(ticketRoutes(deps));
  await app.register(ticketFeedRoutes(deps));
  if (deps.overview) await app.register(overviewRoutes({ overview: deps.overview }));
  await app.register(capabilityRoutes(deps));
  await app.register(mcpRoutes({ mcp: deps.mcp }));
  // Open MCP event streams would keep the server from closing.
  app.addHook('preClose', () => deps.mcp.closeAll());
  await app.register(auditRoutes(deps));
  await app.register(approvalRoutes(deps));
  await app.register(notificationRoutes(deps));
  await app.register(runbookRoutes(deps));
  await app.register(deviceRoutes(deps));
  if (deps.serviceHealth) await app.register(serviceRoutes({ serviceHealth: deps.serviceHealth }));
  await app.register(artifactRoutes(deps));
  await app.register(healthRoutes(deps));
  return app as unknown as FastifyInstance;
}
