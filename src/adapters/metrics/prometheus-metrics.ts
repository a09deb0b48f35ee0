// Prometheus metrics (prom-client): HTTP, tickets and their outcomes, steps, LLM, rollbacks, queue, MCP and the process.
// One registry per app instance so tests can build several apps in one process.
import client from 'prom-client';
import type { Approval } from '../../core/approval.ts';
import type { TicketEvent } from '../../core/events.ts';
import type { LlmCallEvent, LlmFallbackEvent } from '../../core/llm-observer.ts';
import type { InvocationEvent } from '../../core/registry.ts';
import type { RollbackEvent } from '../../core/rollback.ts';
import type { TicketGroupCount } from '../../core/ticket-repository.ts';
import { escalationKind, ticketOutcome } from './ticket-outcomes.ts';
import type { MetricsPort } from '../../core/metrics-port.ts';

/** Where gauges read their values at scrape time, and how a final transition finds when its ticket was created. */
export interface MetricSources {
  queueDepth: () => number;
  ticketGroups: () => Promise<TicketGroupCount[]>;
  ticketCreatedAt: (ticketId: string) => Promise<string | undefined>;
  mcpSessions?: () => number;
  approvalsPending?: () => Promise<number>;
  /** Resolves when the store answers a trivial query; a rejection or a hang past 2 s reads as down. */
  storePing?: () => Promise<void>;
  /** The embedded store's thread: its V8 heap and PGlite's WebAssembly memory, in bytes (PGlite only). */
  storeMemory?: () => Promise<{ heapUsed: number; heapTotal: number; wasmMemory: number }>;
}

export interface Metrics extends MetricsPort {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  observeInvocation(event: InvocationEvent): void;
  /** Counts transitions, outcomes and escalations; a final transition also observes the time to resolution. */
  observeTicketEvent(event: TicketEvent): Promise<void>;
  /** Time a ticket waited in the queue before a worker took it. */
  observeQueueWait(seconds: number): void;
  /** Time from an approval's request to its decision. */
  observeApprovalDecision(approval: Approval): void;
  observeLlmCall(event: LlmCallEvent): void;
  observeLlmFallback(event: LlmFallbackEvent): void;
  observeRollback(event: RollbackEvent): void;
  setSources(sources: MetricSources): void;
}

const SECONDS_TO_DAYS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600];

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'twisterlab_' });
  // Gauges that prom-client also names `_total`, a suffix Prometheus keeps for counters (promtool rejects them);
  // the same values remain by type in twisterlab_nodejs_active_{handles,requests,resources}.
  for (const name of ['active_handles', 'active_requests', 'active_resources'])
    registry.removeSingleMetric(`twisterlab_nodejs_${name}_total`);
  const registers = [registry];
  const httpDuration = new client.Histogram({
    name: 'twisterlab_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers,
  });
  const stepDuration = new client.Histogram({
    name: 'twisterlab_step_duration_seconds',
    help: 'Capability call duration by capability and outcome (ok or the error code)',
    labelNames: ['capability', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers,
  });
  const transitions = new client.Counter({
    name: 'twisterlab_ticket_transitions_total',
    help: 'Ticket status changes by target status',
    labelNames: ['status'] as const,
    registers,
  });
  const outcomes = new client.Counter({
    name: 'twisterlab_ticket_outcomes_total',
    help: 'Tickets settling: resolved_autonomously (a fault found, fixed and verified by TwisterLab alone), assisted_fix (after an approval), resolved_by_human, no_fault_found, confirmed_no_fault, reopened, escalated, failed',
    labelNames: ['outcome'] as const,
    registers,
  });
  const escalations = new client.Counter({
    name: 'twisterlab_escalations_total',
    help: 'Tickets handed to a human, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const verificationFailures = new client.Counter({
    name: 'twisterlab_verification_failures_total',
    help: 'Executions whose verification did not hold after the plan ran',
    registers,
  });
  const resolutionTime = new client.Histogram({
    name: 'twisterlab_ticket_resolution_seconds',
    help: 'Time from submission to a final state, by outcome',
    labelNames: ['outcome'] as const,
    buckets: SECONDS_TO_DAYS,
    registers,
  });
  const analyses = new client.Counter({
    name: 'twisterlab_ticket_analyses_total',
    help: 'Ticket analyses by path (rules, or the LLM when configured)',
    labelNames: ['path'] as const,
    registers,
  });
  const queueWait = new client.Histogram({
    name: 'twisterlab_queue_wait_seconds',
    help: 'Dispatch latency: time from enqueue until processing starts',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers,
  });
  const approvalLatency = new client.Histogram({
    name: 'twisterlab_approval_decision_seconds',
    help: 'Time from an approval request to its decision, by decision',
    labelNames: ['decision'] as const,
    buckets: SECONDS_TO_DAYS,
    registers,
  });
  const llmCalls = new client.Counter({
    name: 'twisterlab_llm_calls_total',
    help: 'LLM calls by provider, purpose (analysis, planning) and outcome',
    labelNames: ['provider', 'purpose', 'outcome'] as const,
    registers,
  });
  const llmDuration = new client.Histogram({
    name: 'twisterlab_llm_call_duration_seconds',
    help: 'LLM call duration by provider and purpose',
    labelNames: ['provider', 'purpose'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60],
    registers,
  });
  const llmFallbacks = new client.Counter({
    name: 'twisterlab_llm_fallbacks_total',
    help: 'Times the rules decided instead of the LLM, by stage and reason',
    labelNames: ['stage', 'reason'] as const,
    registers,
  });
  const rollbacks = new client.Counter({
    name: 'twisterlab_rollbacks_total',
    help: 'Rollbacks after a failed verification, by restore outcome and re-verification result',
    labelNames: ['outcome', 'reverification'] as const,
    registers,
  });
  let sources: MetricSources | undefined;
  new client.Gauge({
    name: 'twisterlab_approvals_pending',
    help: 'Plan steps waiting for a human approval',
    registers,
    // A store that does not answer must not fail the whole scrape: twisterlab_store_up says so instead.
    async collect() {
      if (sources?.approvalsPending)
        await sources.approvalsPending().then(
          (n) => this.set(n),
          () => undefined,
        );
    },
  });
  new client.Gauge({
    name: 'twisterlab_queue_depth',
    help: 'Tickets waiting or in flight in this process',
    registers,
    collect() {
      if (sources) this.set(sources.queueDepth());
    },
  });
  new client.Gauge({
    name: 'twisterlab_mcp_sessions',
    help: 'Open MCP sessions on the Streamable HTTP endpoint',
    registers,
    collect() {
      if (sources?.mcpSessions) this.set(sources.mcpSessions());
    },
  });
  new client.Gauge({
    name: 'twisterlab_tickets',
    help: 'Tickets in the store by status, category and priority (none before triage)',
    labelNames: ['status', 'category', 'priority'] as const,
    registers,
    async collect() {
      if (!sources) return;
      const groups = await sources.ticketGroups().catch(() => undefined);
      if (!groups) return;
      this.reset();
      for (const g of groups)
        this.set({ status: g.status, category: g.category ?? 'none', priority: g.priority ?? 'none' }, g.count);
    },
  });

  new client.Gauge({
    name: 'twisterlab_store_up',
    help: 'Whether the ticket store answered a query within 2 s at this scrape (1) or not (0)',
    registers,
    async collect() {
      if (!sources?.storePing) return;
      this.set(
        await withinTwoSeconds(sources.storePing()).then(
          () => 1,
          () => 0,
        ),
      );
    },
  });

  new client.Gauge({
    name: 'twisterlab_store_thread_memory_bytes',
    help: "The embedded store's thread: V8 heap used and total, and PGlite's WebAssembly memory (its size; what it touched is in the process's RSS)",
    labelNames: ['kind'] as const,
    registers,
    async collect() {
      if (!sources?.storeMemory) return;
      const memory = await withinTwoSeconds(sources.storeMemory()).catch(() => undefined);
      if (!memory) return;
      for (const [kind, bytes] of [
        ['heap_used', memory.heapUsed],
        ['heap_total', memory.heapTotal],
        ['wasm_memory', memory.wasmMemory],
      ] as const) {
        if (Number.isFinite(bytes)) this.set({ kind }, bytes);
      }
    },
  });

  async function observeFinal(ticketId: string, outcome: string, at: string, known?: string): Promise<void> {
    // The event says when its ticket was created when the publisher knew; otherwise the store is asked.
    const createdAt = known ?? (await sources?.ticketCreatedAt(ticketId));
    if (createdAt) resolutionTime.observe({ outcome }, Math.max(0, (Date.parse(at) - Date.parse(createdAt)) / 1000));
  }

  return {
    registry,
    httpDuration,
    observeInvocation(event) {
      const outcome = event.result.ok ? 'ok' : event.result.error.code;
      stepDuration.observe({ capability: event.capability, outcome }, event.result.durationMs / 1000);
    },
    async observeTicketEvent(event) {
      if (event.type === 'analysis') analyses.inc({ path: event.analysis.path });
      if (event.type !== 'status') return;
      transitions.inc({ status: event.to });
      const outcome = ticketOutcome(event.from, event.to, event.outcome);
      if (!outcome) return;
      outcomes.inc({ outcome });
      if (event.to === 'escalated') {
        const reason = escalationKind(event.reason);
        escalations.inc({ reason });
        if (reason === 'verification_failed') verificationFailures.inc();
      }
      await observeFinal(event.ticketId, event.to, event.at, event.createdAt);
    },
    observeQueueWait: (seconds) => queueWait.observe(seconds),
    observeApprovalDecision(approval) {
      const decidedAt = approval.decidedAt ? Date.parse(approval.decidedAt) : Date.now();
      approvalLatency.observe(
        { decision: approval.status },
        Math.max(0, (decidedAt - Date.parse(approval.createdAt)) / 1000),
      );
    },
    observeLlmCall(event) {
      llmCalls.inc({ provider: event.provider, purpose: event.purpose, outcome: event.outcome });
      llmDuration.observe({ provider: event.provider, purpose: event.purpose }, event.seconds);
    },
    observeLlmFallback: (event) => llmFallbacks.inc({ stage: event.stage, reason: event.reason }),
    observeRollback: (event) => rollbacks.inc({ outcome: event.outcome, reverification: event.reverification }),
    setSources(s) {
      sources = s;
    },
    observeHttpRequest: ({ method, route, status, seconds }) =>
      httpDuration.observe({ method, route, status: String(status) }, seconds),
    exposition: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

function withinTwoSeconds<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within 2 s')), 2000);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
