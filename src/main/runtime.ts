// The composition root: the only place adapters are created and wired to core, agents and the HTTP app.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { PACKAGE_ROOT, PACKAGE_VERSION } from '../adapters/package-root.ts';
import { createFileArtifactStore } from '../adapters/artifacts/file-artifact-store.ts';
import { createChromiumBrowser } from '../adapters/browser/chromium-browser.ts';
import { createMetrics, type Metrics } from '../adapters/metrics/prometheus-metrics.ts';
import { createSystemMetricsSource } from '../adapters/metrics-source/system-metrics.ts';
import { openPgliteStore, openPostgresStore, type OpenedStore } from '../adapters/store/open-store.ts';
import { assertCatalogueRegistered } from '../agents/agent-catalogue.ts';
import { createClassifierAgent } from '../agents/classifier/classifier-agent.ts';
import { createBrowserAgent } from '../agents/browser/browser-agent.ts';
import { createCommanderAgent } from '../agents/commander/commander-agent.ts';
import { createDatabaseAgent } from '../agents/database/database-agent.ts';
import { createMaestroAgent } from '../agents/maestro/maestro-agent.ts';
import { createMonitoringAgent } from '../agents/monitoring/monitoring-agent.ts';
import { createResolverAgent } from '../agents/resolver/resolver-agent.ts';
import { createSentimentAgent } from '../agents/sentiment/sentiment-agent.ts';
import type { Config } from '../config.ts';
import { DEFAULT_LOCAL_ALLOWLIST, parseAllowRule } from '../core/allowlist.ts';
import type { TicketEventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import { limitDeviceConcurrency } from '../core/device-limit.ts';
import type { ArtifactStore } from '../core/ports.ts';
import { ApprovalService } from '../core/approval-service.ts';
import { CapabilityGateway } from '../core/capability-gateway.ts';
import { createBacklog, type Backlog } from '../core/ticket-intake.ts';
import { redactingLogHooks } from './log-redaction.ts';
import { TicketFeedback } from '../core/ticket-feedback.ts';
import { TicketHandoff } from '../core/ticket-handoff.ts';
import { Orchestrator } from '../core/orchestrator.ts';
import { loadRoutingFile } from '../adapters/routing-file.ts';
import type { Routing } from '../core/routing/routing.ts';
import { loadAlertMappingFile } from '../adapters/alert-mapping-file.ts';
import { loadWebhookSourcesFile } from '../adapters/webhook-sources-file.ts';
import { createLlmAnalyst } from '../adapters/llm/llm-analyst.ts';
import { CapabilityRegistry } from '../core/registry.ts';
import { loadCatalogue } from '../adapters/runbooks/runbook-files.ts';
import { wireServiceProfiles } from './service-profiles-wiring.ts';
import type { Runbook } from '../core/runbooks/runbook.ts';
import { buildApp } from '../http/app.ts';
import { wireBackupAndSync } from './backup-wiring.ts';
import { wireDiagnostics } from './diagnostics-wiring.ts';
import { wireDevices, type DeviceWiring } from './device-wiring.ts';
import { wireNotifications } from './notify-wiring.ts';
import { createImapIntake } from '../adapters/mail/imap-intake.ts';
import { requireSharedStore, wireQueue, type QueueWiring } from './queue-wiring.ts';
import { createServiceReach } from '../adapters/devices/ssh/service-reach.ts';
import type { DeviceCatalog } from '../adapters/devices/device-catalog.ts';
import { createMcpService, type McpService } from '../mcp/mcp-service.ts';
import { RunbookCatalogue } from '../core/runbooks/runbook-catalogue.ts';

export const VERSION = PACKAGE_VERSION;

/** Logs go to stdout, or to stderr (fd 2) where stdout carries a protocol (MCP over stdio). */
/** A logger on stdout, stderr, or a given stream (tests read what would have been written). */
export function createLogger(config: Pick<Config, 'logLevel'>, fd: 1 | 2 | pino.DestinationStream = 1): pino.Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    // Secrets never reach a log line: known fields are censored, and every string is redacted like a prompt.
    redact: {
      paths: ['req.headers["x-api-key"]', 'req.headers.authorization', '*.password', '*.apiKey', '*.token'],
      censor: '[redacted]',
    },
    hooks: redactingLogHooks,
  };
  if (typeof fd === 'object') return pino(options, fd);
  return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
}

export async function openStore(config: Config, logger: Logger, migrate = true): Promise<OpenedStore> {
  return config.databaseUrl
    ? openPostgresStore({
        url: config.databaseUrl,
        logger,
        poolSize: config.databasePoolSize,
        connectTimeoutMs: config.databaseConnectTimeoutMs,
        migrate,
      })
    : openPgliteStore({ dataDir: config.dataDir, logger, migrate });
}

export interface Runtime {
  app: FastifyInstance;
  registry: CapabilityRegistry;
  orchestrator: Orchestrator;
  opened: OpenedStore;
  mcp: McpService;
  devices: DeviceCatalog;
  approvals: ApprovalService;
  /** Stops taking new tickets (every door answers SHUTTING_DOWN) while the rest keeps working; close() starts with it. */
  stopAccepting(): void;
  /** Stops taking tickets, waits for those in flight, closes the app and the store. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** The runbook catalogue, when not the built-in one (tests plan with runbooks of their own). */
  runbooks?: readonly Runbook[];
}

/** What the API and a worker process share: the store, devices, agents, the orchestrator, the queue and events. */
export interface Core {
  opened: OpenedStore;
  devices: DeviceWiring;
  registry: CapabilityRegistry;
  orchestrator: Orchestrator;
  metrics: Metrics;
  events: TicketEventBus;
  queueing: QueueWiring;
  /** Admission of new tickets against TWISTERLAB_BACKLOG_LIMIT (queued + running + being admitted). */
  backlog: Backlog;
  runbooks: () => readonly Runbook[];
  artifacts: ArtifactStore;
  /** Team routing from TWISTERLAB_ROUTING_FILE; the built-in routing without one. */
  routing?: Routing;
  /** False once stopAccepting() was called: intake refuses new tickets with SHUTTING_DOWN. */
  /** The category a declared service's tickets belong to. */
  serviceCategory(name: string): string | undefined;
  isAccepting(): boolean;
  stopAccepting(): void;
  /** Starts taking tickets off the queue and running them in this process. */
  startProcessing(): void;
  /** Closes the queue (waiting for tickets in flight unless it was drained), devices, browser and store. */
  close(): Promise<void>;
}

/** Opens the store's connections before the first request needs them; a failure only delays that to first use. */
export async function warmStore(opened: Pick<OpenedStore, 'warm'>, logger: Logger): Promise<void> {
  await opened
    .warm?.()
    .catch((error: unknown) =>
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'could not open the store connections ahead',
      ),
    );
}

export async function createCore(config: Config, logger: pino.Logger, options: RuntimeOptions = {}): Promise<Core> {
  requireSharedStore(config);
  // Loaded once the agents are registered, so every step's capability is checked at start.
  let runbooks: readonly Runbook[] = options.runbooks ?? [];
  const profiles = wireServiceProfiles(config);
  const configuredServices = profiles.declared;
  const localAllow = [...DEFAULT_LOCAL_ALLOWLIST, ...config.localAllow.map(parseAllowRule)];
  const opened = await openStore(config, logger);
  const devices = await wireDevices({ config, opened, localAllow, services: configuredServices, logger }).catch(
    async (error: unknown) => {
      await opened.close();
      throw error;
    },
  );
  const { services, catalog: inventory } = devices;
  const store = opened.store;
  let dispatcher;
  try {
    dispatcher = wireNotifications(config, opened, logger);
  } catch (error) {
    await Promise.allSettled([devices.close(), opened.close()]);
    throw error;
  }
  dispatcher.start();
  const metrics = createMetrics();
  const queueing = await wireQueue({ config, store, logger, onDispatch: (ms) => metrics.observeQueueWait(ms / 1000) });
  const backlog = createBacklog({
    ...config.backlog,
    queued: () => queueing.queue.depth(),
    onAdmitted: queueing.recordIntake,
  });
  const events: TicketEventBus = {
    publish: (event) => {
      metrics
        .observeTicketEvent(event)
        .catch((err: unknown) => logger.warn({ err }, 'could not record ticket metrics'));
      queueing.events.publish(event);
    },
    subscribe: (id, listener) => queueing.events.subscribe(id, listener),
  };
  // Every command on a device first takes one of the device's leases (shared by all workers, on Redis).
  const commandInventory = queueing.leases ? limitDeviceConcurrency(inventory, queueing.leases) : inventory;
  const registry = new CapabilityRegistry({ logger, defaultTimeoutMs: config.capabilityTimeoutMs });
  // Every door that creates a ticket asks this through intake; stopAccepting() closes them all at once.
  let accepting = true;
  // Services are fixed at start; devices may be added while running, so they are read per ticket.
  const serviceProfiles = profiles.views(services);
  const deviceProfile = (id: string) => {
    const spec = inventory.spec(id);
    return spec ? { id, host: spec.host, port: spec.port } : { id };
  };
  const known = () => ({
    devices: inventory.list().map((d) => d.id),
    services: services.map((s) => s.name),
    serviceProfiles,
    deviceProfiles: inventory.list().map((d) => deviceProfile(d.id)),
  });
  const serviceCategory = (name: string) => profiles.category(name, services);
  const llmObserver = { onCall: metrics.observeLlmCall, onFallback: metrics.observeLlmFallback };
  const llm = config.llm ? { ...createLlmAnalyst(config.llm, queueing.answerCache), observer: llmObserver } : undefined;
  const serviceFacts = (name: string) => profiles.facts(name, services);
  const routing = config.routingFile ? loadRoutingFile(config.routingFile) : undefined;
  const orchestrator = new Orchestrator({
    store,
    registry,
    events,
    logger,
    runbooks: () => runbooks,
    known,
    serviceCategory,
    serviceFacts,
    approvalTtlMs: config.approvalTtlMs,
    ...(routing ? { routing } : {}),
    changePolicy: config.changePolicy,
    retry: { retries: config.stepRetries, baseMs: config.stepRetryBaseMs },
    leaseMs: config.leaseMs,
    storeWaitMs: config.storeWaitMs,
    instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    onRollback: metrics.observeRollback,
    ...(llm ? { llm } : {}),
  });

  registry.register(createSentimentAgent());
  registry.register(createClassifierAgent());
  registry.register(
    createCommanderAgent({
      inventory: commandInventory,
      timeoutMs: config.commandTimeoutMs,
      outputCap: config.outputCap,
      audit: devices.audit,
    }),
  );
  const diagnostics = wireDiagnostics({ config, devices, services });
  registry.register(
    createMonitoringAgent({
      metrics: createSystemMetricsSource(),
      services,
      checker: devices.checker,
      checkTimeoutMs: config.checkTimeoutMs,
      inventory: commandInventory,
      audit: devices.audit,
      commandTimeoutMs: config.commandTimeoutMs,
      probes: diagnostics.probes,
    }),
  );
  // The same services as monitoring; those on SSH devices are reached through a tunnel over the device.
  registry.register(
    createDatabaseAgent({
      services,
      timeoutMs: config.checkTimeoutMs,
      reach: createServiceReach({ pool: devices.pool, spec: (id) => inventory.spec(id) }),
    }),
  );
  const { backup, sync } = wireBackupAndSync({ config, opened, devices, services });
  registry.register(backup);
  registry.register(sync);
  registry.register(diagnostics.files);
  registry.register(diagnostics.security);
  registry.register(createResolverAgent({ store, events, ...(routing ? { routing } : {}) }));
  registry.register(
    createMaestroAgent({ orchestrator, store, queue: queueing.queue, isAccepting: () => accepting, backlog }),
  );
  // Launched on the first visit, not here: a runtime without Chromium still starts (visits answer BROWSER_UNAVAILABLE).
  const browser = createChromiumBrowser({ ...config.browser, logger });
  const artifacts = createFileArtifactStore({ dir: path.join(config.dataDir, 'artifacts') });
  registry.register(createBrowserAgent({ browser, artifacts, timeoutMs: config.browser.timeoutMs }));
  registry.onInvocation((event) => metrics.observeInvocation(event));
  try {
    // MCP over stdio listed the catalogue's tools before this ran: fail here rather than serve other ones.
    assertCatalogueRegistered(registry.list().map((d) => d.id));
    if (!options.runbooks) runbooks = loadCatalogue(config.runbooksDir, (id) => registry.get(id) !== undefined);
  } catch (error) {
    // The outbox dispatcher polls the store: stop it before the store closes, or the close waits on it.
    await Promise.allSettled([dispatcher.stop(), queueing.close(), devices.close(), browser.close()]);
    await opened.close().catch(() => undefined);
    throw error;
  }
  if (!options.runbooks)
    logger.info({ runbooks: runbooks.length, dir: config.runbooksDir }, 'runbook catalogue loaded');
  await store.upsertAgents(
    registry.listAgents().map((a) => ({
      id: a.id,
      description: a.description,
      capabilities: a.capabilities.map((c) => ({ id: c.id, risk: c.risk, description: c.description })),
    })),
  );

  return {
    opened,
    devices,
    registry,
    orchestrator,
    metrics,
    events,
    queueing,
    backlog,
    artifacts,
    runbooks: () => runbooks,
    serviceCategory,
    isAccepting: () => accepting,
    ...(routing ? { routing } : {}),
    stopAccepting: () => {
      accepting = false;
    },
    startProcessing: () =>
      queueing.queue.start(async (id) => {
        await orchestrator.process(id);
      }),
    close: async () => {
      await queueing.close();
      await dispatcher.stop();
      await devices.close();
      await browser.close();
      await opened.close();
    },
  };
}

export async function createRuntime(
  config: Config,
  logger: pino.Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  // Read before anything opens: a bad sources file stops the start.
  const webhooks = config.webhookSourcesFile
    ? loadWebhookSourcesFile(config.webhookSourcesFile, config.secretEnv)
    : undefined;
  const alertMapping = config.alertmanagerMappingFile
    ? loadAlertMappingFile(config.alertmanagerMappingFile)
    : undefined;
  const core = await createCore(config, logger, options);
  const { opened, registry, orchestrator, metrics, events, runbooks, artifacts, backlog } = core;
  const { queue } = core.queueing;
  const store = opened.store;
  const inventory = core.devices.catalog;
  const isAccepting = core.isAccepting;
  const gateway = new CapabilityGateway({ registry, audit: (entries) => store.appendAudit(entries) });
  const routed = core.routing ? { routing: core.routing } : {};
  const approvals = new ApprovalService({
    store,
    queue,
    events,
    logger,
    onDecided: (a) => metrics.observeApprovalDecision(a),
    ...routed,
  });
  const catalogue = new RunbookCatalogue({
    runbooks,
    riskOf: (id, params) => registry.riskOf(id, params),
    planRunbook: (runbook, input) => orchestrator.planRunbook(runbook, input),
  });
  const feedback = new TicketFeedback({ store, events, logger, noFaultTtlMs: config.noFaultTtlMs, ...routed });
  const handoff = new TicketHandoff({ store, events, queue, logger });
  const mcp = createMcpService({
    registry,
    gateway,
    store,
    queue,
    events,
    isAccepting,
    backlog,
    logger,
    runbooks,
    version: VERSION,
    approvals,
    catalogue,
    feedback,
    handoff,
    sessions: { perKey: config.mcpSessionsPerKey, maxSessions: config.mcpMaxSessions, idleMs: config.mcpSessionIdleMs },
  });
  metrics.setSources({
    queueDepth: () => queue.depth(),
    ticketGroups: () => store.countByGroup(),
    mcpSessions: () => mcp.http.size,
    approvalsPending: async () => (await store.listApprovals({ status: 'pending', limit: 10_000 })).length,
    ticketCreatedAt: async (id) => (await store.get(id))?.createdAt,
    storePing: () => store.ping(),
    ...(opened.thread ? { storeMemory: opened.thread.memory.bind(opened.thread) } : {}),
  });
  // On Redis, API processes only enqueue unless told to work too; `twisterlab worker` processes do the rest.
  if (!config.redis || config.redis.inlineWorker) core.startProcessing();

  const app = await buildApp({
    logger: logger as FastifyBaseLogger,
    metrics,
    store,
    events,
    queue,
    registry,
    gateway,
    isAccepting,
    backlog,
    mcp: mcp.http,
    mcpStatus: () => mcp.status(),
    devices: inventory,
    storeKind: opened.kind,
    version: VERSION,
    startedAt: new Date(),
    queueDepth: () => queue.depth(),
    apiKeys: config.apiKeys,
    apiKeyHeader: config.apiKeyHeader,
    allowedHosts: config.allowedHosts,
    bodyLimit: config.bodyLimit,
    artifacts,
    approvals,
    catalogue,
    feedback,
    handoff,
    alerts: {
      services: () => core.devices.services.map((s) => s.name),
      ...(alertMapping ? { mapping: alertMapping } : {}),
    },
    ...(webhooks ? { webhooks } : {}),
    outbox: opened.outbox,
    consoleDir: path.join(PACKAGE_ROOT, 'dist', 'web'),
    overview: opened.store,
    serviceHealth: {
      services: () => core.devices.services,
      checker: core.devices.checker,
      category: core.serviceCategory,
      timeoutMs: config.checkTimeoutMs,
    },
  });
  // Expired approvals escalate their tickets even when nobody comes back to decide.
  // So do tickets where no fault was found and the requester never answered.
  const sweeper = setInterval(
    () => {
      approvals.expireDue().catch((err: unknown) => logger.warn({ err }, 'could not expire approvals'));
      feedback.expireDue().catch((err: unknown) => logger.warn({ err }, 'could not expire no-fault-found tickets'));
    },
    Math.min(30_000, Math.max(250, Math.floor(Math.min(config.approvalTtlMs, config.noFaultTtlMs) / 4))),
  );
  sweeper.unref();

  await core.queueing.recover({ startRun: config.recoverOnStart });
  // E-mail intake: the API process polls the mailbox; every ticket goes through the same intake as REST.
  const mail = config.notify.imap
    ? createImapIntake(config.notify.imap, { store, queue, isAccepting }, logger)
    : undefined;
  mail?.start();

  return {
    app,
    registry,
    orchestrator,
    opened,
    mcp,
    devices: inventory,
    approvals,
    stopAccepting: core.stopAccepting,
    close: async () => {
      core.stopAccepting();
      clearInterval(sweeper);
      await mail?.stop();
      await app.close();
      await core.close();
    },
  };
}
