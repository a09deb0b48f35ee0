// Maestro exposes the loop itself as capabilities: analyse a task, or orchestrate it end to end
// (the task enters through ticket intake like any ticket, so every run leaves a redacted, idempotent record).
import { z } from 'zod';
import { defineAgent, defineCapability } from '../../core/capability.ts';
import { TwisterError, isTwisterError } from '../../core/errors.ts';
import type { ExecutionOutcome, Orchestrator } from '../../core/orchestrator.ts';
import { text } from '../../core/text-guard.ts';
import { submitTicket, type IntakeDeps } from '../../core/ticket-intake.ts';
import type { Ticket } from '../../core/ticket-repository.ts';
import {
  CATEGORIES,
  PRIORITIES,
  SENTIMENTS,
  TICKET_STATUSES,
  URGENCIES,
  ticketContextSchema,
  type TicketContext,
} from '../../core/ticket.ts';

export interface MaestroDeps extends IntakeDeps {
  orchestrator: Orchestrator;
}

const task = text().trim().min(1).max(20_000);

// Tool inputs speak snake_case like every capability; tickets keep their camelCase context.
const toolContext = z.strictObject({
  device_id: ticketContextSchema.shape.deviceId,
  service_name: ticketContextSchema.shape.serviceName,
  url: ticketContextSchema.shape.url,
});

function toTicketContext(context: z.infer<typeof toolContext> | undefined): TicketContext {
  if (!context) return {};
  return {
    ...(context.device_id ? { deviceId: context.device_id } : {}),
    ...(context.service_name ? { serviceName: context.service_name } : {}),
    ...(context.url ? { url: context.url } : {}),
  };
}

const analysisOutput = z.object({
  category: z.enum(CATEGORIES),
  priority: z.enum(PRIORITIES),
  sentiment: z.enum(SENTIMENTS),
  urgency: z.enum(URGENCIES),
  confidence: z.number().min(0).max(1),
  summary: z.string(),
  suggested_agents: z.array(z.string()),
  runbook: z.string().nullable(),
  context: z.object({
    device_id: z.string().optional(),
    service_name: z.string().optional(),
    url: z.string().optional(),
  }),
  evidence: z.object({ sentiment: z.array(z.string()), category: z.array(z.string()), priority: z.array(z.string()) }),
  path: z.enum(['rules', 'llm']),
});

export const analyzeTask = defineCapability({
  id: 'maestro.analyze_task',
  description:
    'Analyse a support request: category, priority, sentiment, urgency, where to act, and which agents would work on it',
  risk: 'read',
  input: z.strictObject({ task, context: toolContext.optional() }),
  output: analysisOutput,
  run: async (input, ctx: { deps: MaestroDeps }) => {
    const { analysis, plan } = await ctx.deps.orchestrator.preview(input.task, toTicketContext(input.context));
    const c = analysis.context;
    return {
      category: analysis.category,
      priority: analysis.priority,
      sentiment: analysis.sentiment,
      urgency: analysis.urgency,
      confidence: analysis.confidence,
      summary: analysis.summary,
      suggested_agents: analysis.suggestedAgents,
      runbook: plan.runbookId,
      context: {
        ...(c.deviceId ? { device_id: c.deviceId } : {}),
        ...(c.serviceName ? { service_name: c.serviceName } : {}),
        ...(c.url ? { url: c.url } : {}),
      },
      evidence: analysis.evidence,
      path: analysis.path,
    };
  },
});

const ticketSummary = z.object({
  id: z.string(),
  status: z.enum(TICKET_STATUSES),
  category: z.string().nullable(),
  priority: z.string().nullable(),
  resolution_note: z.string().nullable(),
  escalation_reason: z.string().nullable(),
});

/** A replayed request answers with what the first one did, unless that run never got going (then it runs now). */
async function recordedOutcome(deps: MaestroDeps, ticket: Ticket): Promise<ExecutionOutcome | undefined> {
  const detail = await deps.store.getDetail(ticket.id);
  const execution = detail?.executions.at(-1);
  if (!detail || !execution?.finishedAt) return undefined;
  return {
    ticket: detail.ticket,
    plan: execution.plan,
    steps: detail.steps.filter((s) => s.executionId === execution.id),
    success: execution.success ?? false,
    successRate: execution.successRate ?? 0,
  };
}

async function runTicket(deps: MaestroDeps, ticket: Ticket, created: boolean): Promise<ExecutionOutcome> {
  try {
    // Just created, the ticket stands as the store returned it: no need to read it back.
    return await deps.orchestrator.process(ticket.id, created ? ticket : undefined);
  } catch (error) {
    // The store is down or another process holds the ticket: the queue takes it over, so it is not left behind.
    if (isTwisterError(error) && error.retryable) await deps.queue.enqueue(ticket.id).catch(() => {});
    throw error;
  }
}

function summariseTicket(t: Ticket): z.infer<typeof ticketSummary> {
  return {
    id: t.id,
    status: t.status,
    category: t.category,
    priority: t.priority,
    resolution_note: t.resolutionNote,
    escalation_reason: t.escalationReason,
  };
}

export const orchestrate = defineCapability({
  id: 'maestro.orchestrate',
  description: 'Run the whole loop on a task: analyse, plan, execute, verify, resolve or escalate (dry_run: plan only)',
  // Its steps go through the same policy as any ticket; what it may change is decided there, step by step.
  risk: 'change',
  timeoutMs: 10 * 60_000,
  input: z.strictObject({
    task,
    context: toolContext.optional(),
    dry_run: z.boolean().default(false),
    idempotency_key: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('A retry with the same key answers with the first run instead of running again'),
  }),
  output: z.object({
    success: z.boolean(),
    success_rate: z.number().min(0).max(1),
    execution_results: z.array(
      z.object({
        index: z.number(),
        phase: z.string(),
        capability: z.string(),
        success: z.boolean(),
        output: z.unknown(),
        error: z.object({ code: z.string(), message: z.string() }).nullable(),
        duration_ms: z.number(),
      }),
    ),
    plan: z
      .object({
        runbook: z.string().nullable(),
        steps: z.array(
          z.object({
            index: z.number(),
            phase: z.string(),
            capability: z.string(),
            params: z.record(z.string(), z.unknown()),
            risk: z.string(),
            decision: z.string(),
          }),
        ),
      })
      .nullable(),
    ticket: ticketSummary,
    /** True when an idempotency key replayed an earlier run: nothing ran this time. */
    replayed: z.boolean(),
  }),
  run: async (input, ctx: { deps: MaestroDeps; actor: string; idempotencyKey?: string }) => {
    // POST /orchestrate passes its Idempotency-Key header as ctx.idempotencyKey; MCP clients pass the argument.
    if (input.idempotency_key && ctx.idempotencyKey && input.idempotency_key !== ctx.idempotencyKey) {
      throw new TwisterError(
        'VALIDATION_FAILED',
        'idempotency_key: differs from the Idempotency-Key header; give one of them',
      );
    }
    const key = input.idempotency_key ?? ctx.idempotencyKey;
    const { ticket, created, settle } = await submitTicket(
      ctx.deps,
      { description: input.task, context: toTicketContext(input.context), dryRun: input.dry_run },
      {
        requester: ctx.actor,
        source: 'orchestrate',
        runByCaller: true,
        ...(key ? { idempotencyKey: key } : {}),
      },
    );
    let outcome: ExecutionOutcome;
    let recorded: ExecutionOutcome | undefined;
    try {
      recorded = created ? undefined : await recordedOutcome(ctx.deps, ticket);
      outcome = recorded ?? (await runTicket(ctx.deps, ticket, created));
    } finally {
      // The run is over (or handed to the queue, which counts it from now on): its place in the backlog is free.
      settle();
    }
    return {
      success: outcome.success,
      success_rate: outcome.successRate,
      execution_results: outcome.steps.map((s) => ({
        index: s.index,
        phase: s.phase,
        capability: s.capability,
        success: s.status === 'succeeded',
        output: s.output,
        error: s.error ? { code: s.error.code, message: s.error.message } : null,
        duration_ms: s.durationMs,
      })),
      plan: outcome.plan
        ? {
            runbook: outcome.plan.runbookId,
            steps: outcome.plan.steps.map((s) => ({
              index: s.index,
              phase: s.phase,
              capability: s.capability,
              params: s.params,
              risk: s.risk,
              decision: s.decision,
            })),
          }
        : null,
      ticket: summariseTicket(outcome.ticket),
      replayed: recorded !== undefined,
    };
  },
});

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. */
export const maestroAgent = {
  id: 'maestro',
  description: 'Analyses tasks and orchestrates the other agents through the whole loop',
  capabilities: [analyzeTask, orchestrate],
};

export function createMaestroAgent(deps: MaestroDeps) {
  return defineAgent({ ...maestroAgent, deps });
}
