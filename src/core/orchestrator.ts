// The orchestrator decides; agents act. It moves one ticket through analyse → plan → execute → verify →
// resolve or escalate, persisting each phase in one transaction and publishing events as it goes.
import { randomUUID } from 'node:crypto';
import { evaluateConditions, describeCondition } from './conditions.ts';
import { TwisterError, toErrorInfo } from './errors.ts';
import type { TicketEventBus } from './events.ts';
import type { Logger } from './logger.ts';
import { planTicket } from './planner.ts';
import type { CapabilityRegistry } from './registry.ts';
import type { Runbook } from './runbooks/runbook.ts';
import { analyzeTicket } from './ticket-analyzer.ts';
import type { AuditEntry, StepRecord, Ticket, TicketChange, TicketRepository } from './ticket-repository.ts';
import { FINAL_STATUSES, type Analysis, type Category, type Plan, type PlannedStep, type TicketStatus } from './ticket.ts';

export interface OrchestratorDeps {
  store: TicketRepository;
  registry: CapabilityRegistry;
  events: TicketEventBus;
  logger: Logger;
  runbooks: () => readonly Runbook[];
  known: () => { devices: string[]; services: string[] };
  serviceCategory?: (serviceName: string) => Category | undefined;
}

export interface ExecutionOutcome {
  ticket: Ticket;
  plan: Plan | null;
  steps: StepRecord[];
  success: boolean;
  successRate: number;
}

const ACTOR = 'orchestrator';

interface Run {
  ticket: Ticket;
  executionId: string;
  plan: Plan;
  steps: StepRecord[];
}

export class Orchestrator {
  constructor(private readonly deps: OrchestratorDeps) {}

  /** Analysis plus the plan it would lead to, without touching the store. */
  async preview(text: string, context: Ticket['context']): Promise<{ analysis: Analysis; plan: Plan }> {
    const analysis = await this.analyze(text, context);
    return { analysis, plan: this.plan(analysis, text) };
  }

  /** Takes a ticket from wherever it stands to a final state (or to `planned`, for a dry run). */
  async process(ticketId: string): Promise<ExecutionOutcome> {
    const outcome = await this.advance(ticketId);
    this.deps.events.publish({ type: 'done', ticketId, status: outcome.ticket.status, success: outcome.success });
    return outcome;
  }

  private async advance(ticketId: string): Promise<ExecutionOutcome> {
    let ticket = await this.deps.store.get(ticketId);
    if (!ticket) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${ticketId}`);
    try {
      if (ticket.status === 'new') ticket = await this.triage(ticket);
      if (ticket.status === 'triaged') return await this.planAndRun(ticket);
      if (ticket.status === 'planned') return await this.resumePlanned(ticket);
      if (!FINAL_STATUSES.has(ticket.status)) {
        // Executing or verifying when we got it: a restart cut it off. Steps may have had effects, so a human decides.
        ticket = await this.escalate(ticket, `interrupted while ${ticket.status}; a human should check what ran`, null);
      }
      return { ticket, plan: null, steps: [], success: ticket.status === 'resolved', successRate: 0 };
    } catch (error) {
      return { ticket: await this.fail(ticketId, error), plan: null, steps: [], success: false, successRate: 0 };
    }
  }

  private async analyze(text: string, context: Ticket['context'], ticketId?: string): Promise<Analysis> {
    const analysis = await analyzeTicket(this.deps, text, context, ticketId);
    const plan = this.plan(analysis, text);
    analysis.suggestedAgents = [...new Set(plan.steps.map((s) => s.agent))];
    return analysis;
  }

  private plan(analysis: Analysis, text: string): Plan {
    const registry = this.deps.registry;
    return planTicket(analysis, text, this.deps.runbooks(), (id, params) => {
      const descriptor = registry.get(id);
      return descriptor ? { agent: descriptor.agent, risk: registry.riskOf(id, params)! } : undefined;
    });
  }

  private async triage(ticket: Ticket): Promise<Ticket> {
    const analysis = await this.analyze(ticket.description, ticket.context, ticket.id);
    const next = await this.move(ticket, 'triaged', {
      patch: { analysis, category: analysis.category, priority: analysis.priority },
      audit: [],
    }, { category: analysis.category, priority: analysis.priority, sentiment: analysis.sentiment, urgency: analysis.urgency });
    this.deps.events.publish({ type: 'analysis', ticketId: ticket.id, analysis });
    return next;
  }

  private async planAndRun(ticket: Ticket): Promise<ExecutionOutcome> {
    const plan = this.plan(ticket.analysis!, ticket.description);
    const executionId = randomUUID();
    ticket = await this.move(ticket, 'planned', { newExecution: { id: executionId, plan, dryRun: ticket.dryRun }, audit: [] }, {
      runbook: plan.runbookId, steps: plan.steps.length, executionId,
    });
    this.deps.events.publish({ type: 'plan', ticketId: ticket.id, plan, dryRun: ticket.dryRun });
    return this.runPlan({ ticket, executionId, plan, steps: [] });
  }

  private async resumePlanned(ticket: Ticket): Promise<ExecutionOutcome> {
    const detail = await this.deps.store.getDetail(ticket.id);
    const execution = detail?.executions.at(-1);
    if (!execution) {
      const escalated = await this.escalate(ticket, 'planned with no stored plan; a human should look', null);
      return { ticket: escalated, plan: null, steps: [], success: false, successRate: 0 };
    }
    return this.runPlan({ ticket, executionId: execution.id, plan: execution.plan, steps: [] });
  }

  private async runPlan(run: Run): Promise<ExecutionOutcome> {
    const { plan } = run;
    if (run.ticket.dryRun) {
      await this.deps.store.apply(run.ticket.id, {
        finishExecution: { id: run.executionId, success: true, successRate: 0, summary: 'dry run: nothing was executed' },
        audit: [{ ticketId: run.ticket.id, actor: ACTOR, action: 'execution.dry_run', details: { executionId: run.executionId } }],
      });
      return this.outcome(run, true);
    }
    if (plan.steps.length === 0) return this.finishEscalated(run, plan.escalation ?? 'the plan has no steps');
    const blocked = plan.steps.find((s) => s.decision !== 'run');
    if (blocked) {
      // Approvals arrive with the runbook catalogue; until then a step that needs one goes to a human.
      return this.finishEscalated(run, `step ${blocked.index} (${blocked.capability}) ${blocked.decision === 'refuse' ? 'is refused' : 'needs approval'}: ${blocked.decisionReason}`);
    }
    run.ticket = await this.move(run.ticket, 'executing', { audit: [] }, { executionId: run.executionId });
    for (const step of plan.steps.filter((s) => s.phase !== 'verify')) {
      const record = await this.runStep(run, step);
      if (!record.error || step.phase !== 'fix') continue;
      return this.finishEscalated(run, `fix step ${step.index} (${step.capability}) failed: ${record.error.code} ${record.error.message}`);
    }
    if (plan.escalation) return this.finishEscalated(run, plan.escalation);
    run.ticket = await this.move(run.ticket, 'verifying', { audit: [] }, { executionId: run.executionId });
    return this.verify(run);
  }

  private async verify(run: Run): Promise<ExecutionOutcome> {
    const failures: string[] = [];
    const passes: string[] = [];
    for (const step of run.plan.steps.filter((s) => s.phase === 'verify')) {
      const record = await this.runStep(run, step);
      if (record.error) {
        failures.push(`${step.description}: ${record.error.code} ${record.error.message}`);
        continue;
      }
      const outcomes = evaluateConditions(record.output, step.expect ?? []);
      const failed = outcomes.filter((o) => !o.held);
      if (failed.length > 0) failures.push(`${step.description}: ${failed.map(describeCondition).join(', ')}`);
      else passes.push(`${step.description}: ${outcomes.map(describeCondition).join(', ') || 'ok'}`);
    }
    if (failures.length > 0) return this.finishEscalated(run, `verification failed: ${failures.join('; ')}`);
    const changed = run.plan.steps.some((s) => s.phase === 'fix');
    const note = `${changed ? 'Fixed and verified' : 'Verified, no change was needed'} (runbook ${run.plan.runbookId}): ${passes.join('; ')}`;
    return this.finish(run, 'resolved', { resolutionNote: note }, note);
  }

  private async runStep(run: Run, step: PlannedStep): Promise<StepRecord> {
    const startedAt = new Date();
    const result = await this.deps.registry.invoke(step.capability, step.params, { actor: ACTOR, ticketId: run.ticket.id });
    const record: StepRecord = {
      executionId: run.executionId, ticketId: run.ticket.id, index: step.index, phase: step.phase,
      agent: step.agent, capability: step.capability, params: step.params, risk: step.risk,
      status: result.ok ? 'succeeded' : 'failed',
      output: result.ok ? result.output : null,
      error: result.ok ? null : result.error,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date(startedAt.getTime() + result.durationMs).toISOString(),
      durationMs: Math.round(result.durationMs * 1000) / 1000,
    };
    run.steps.push(record);
    const audit: AuditEntry = {
      ticketId: run.ticket.id, actor: ACTOR, action: result.ok ? 'step.succeeded' : 'step.failed',
      details: { executionId: run.executionId, index: step.index, capability: step.capability, ...(result.ok ? {} : { error: result.error.code }) },
    };
    await this.deps.store.apply(run.ticket.id, { steps: [record], audit: [audit] });
    this.deps.events.publish({ type: 'step', ticketId: run.ticket.id, step: record });
    return record;
  }

  private finishEscalated(run: Run, reason: string): Promise<ExecutionOutcome> {
    return this.finish(run, 'escalated', { escalationReason: reason }, reason);
  }

  private async finish(run: Run, to: 'resolved' | 'escalated', patch: TicketChange['patch'], summary: string): Promise<ExecutionOutcome> {
    const executed = run.steps.length;
    const succeeded = run.steps.filter((s) => s.status === 'succeeded').length;
    const successRate = executed === 0 ? 0 : succeeded / executed;
    run.ticket = await this.move(run.ticket, to, {
      patch,
      finishExecution: { id: run.executionId, success: to === 'resolved', successRate, summary },
      audit: [],
    }, { reason: summary, executionId: run.executionId, successRate });
    return this.outcome(run, to === 'resolved');
  }

  private outcome(run: Run, success: boolean): ExecutionOutcome {
    const executed = run.steps.length;
    const succeeded = run.steps.filter((s) => s.status === 'succeeded').length;
    return { ticket: run.ticket, plan: run.plan, steps: run.steps, success, successRate: executed === 0 ? 0 : succeeded / executed };
  }

  private escalate(ticket: Ticket, reason: string, executionId: string | null): Promise<Ticket> {
    return this.move(ticket, 'escalated', { patch: { escalationReason: reason }, audit: [] }, { reason, executionId });
  }

  /** One transaction: the status change (compare-and-swap), whatever else the phase writes, and its audit row. */
  private async move(ticket: Ticket, to: TicketStatus, change: TicketChange, details: Record<string, unknown>): Promise<Ticket> {
    const from = ticket.status;
    const audit: AuditEntry = { ticketId: ticket.id, actor: ACTOR, action: 'ticket.status_changed', fromStatus: from, toStatus: to, details };
    const next = await this.deps.store.apply(ticket.id, { ...change, transition: { from, to }, audit: [...change.audit, audit] });
    const reason = typeof details.reason === 'string' ? details.reason : undefined;
    this.deps.events.publish({ type: 'status', ticketId: ticket.id, from, to, at: next.updatedAt, ...(reason ? { reason } : {}) });
    return next;
  }

  private async fail(ticketId: string, error: unknown): Promise<Ticket> {
    const info = toErrorInfo(error, 'INTERNAL');
    this.deps.logger.error({ err: error, ticketId }, 'ticket processing failed');
    const current = await this.deps.store.get(ticketId);
    if (!current) throw error;
    if (FINAL_STATUSES.has(current.status) || info.code === 'INVALID_TRANSITION') return current;
    return this.move(current, 'failed', { patch: { escalationReason: `internal error: ${info.code}` }, audit: [] }, {
      reason: `internal error: ${info.code}`,
    });
  }
}
