// The orchestrator decides; agents act. It moves one ticket through analyse → plan → execute → verify →
// resolve or escalate. Each write is one transaction: the analysis and plan together, then each step's
// result together with the status change it leads to, so a ticket costs a handful of commits.
import { randomUUID } from 'node:crypto';
import { DEFAULT_APPROVAL_TTL_MS, stepHash, type NewApproval } from './approval.ts';
import { TwisterError, isTwisterError, toErrorInfo } from './errors.ts';
import type { TicketEventBus } from './events.ts';
import type { LlmAnalyst } from './llm-analysis.ts';
import { planWithLlm } from './llm-planning.ts';
import { DEFAULT_LEASE_MS, DEFAULT_STORE_WAIT_MS, LeasedWrites } from './leased-writes.ts';
import type { Logger } from './logger.ts';
import { planTicket, type PlanOptions } from './planner.ts';
import type { ChangePolicy } from './policy.ts';
import { redactValue } from './redaction.ts';
import { backupsTaken, judgeCheck, recheckSteps, restoreSteps, type RollbackEvent } from './rollback.ts';
import type { CapabilityRegistry } from './registry.ts';
import { interruptedRecord, planResume } from './resume.ts';
import type { Runbook } from './runbooks/runbook.ts';
import { resolveStepParams, skipReason, stepOutputs } from './runbooks/step-templates.ts';
import { DEFAULT_RETRY, StepRunner, type RetryPolicy, type StepOutcome, type StepWrites } from './step-runner.ts';
import { analyzeTicket } from './ticket-analyzer.ts';
import type { AuditEntry, RunningStep, StepRecord, Ticket, TicketChange, TicketRepository } from './ticket-repository.ts';
import { FINAL_STATUSES, type Analysis, type Category, type Plan, type PlannedStep, type TicketStatus } from './ticket.ts';

export interface OrchestratorDeps {
  store: TicketRepository;
  registry: CapabilityRegistry;
  events: TicketEventBus;
  logger: Logger;
  runbooks: () => readonly Runbook[];
  known: () => { devices: string[]; services: string[] };
  serviceCategory?: (serviceName: string) => Category | undefined;
  /** Facts about a declared service for runbook templates (`{{service.configDir}}`), when configured. */
  serviceFacts?: (serviceName: string) => Record<string, unknown> | undefined;
  /** The LLM analysis path, when a model server is configured. */
  llm?: LlmAnalyst;
  /** How long a step waits for its approval before the ticket is escalated. */
  approvalTtlMs?: number;
  /** Told of every rollback (metrics). */
  onRollback?: (event: RollbackEvent) => void;
  /** When a change runs unattended (see policy.ts). */
  changePolicy?: ChangePolicy;
  /** Retries of a step that failed with a retryable error, when running it again is safe. */
  retry?: RetryPolicy;
  /** How long this orchestrator's lease on a ticket lasts without being renewed (a crashed holder's runs out). */
  leaseMs?: number;
  /** How long a write waits for an unavailable store before the ticket goes back to the queue. */
  storeWaitMs?: number;
  /** The lease owner's name; unique per orchestrator. */
  instanceId?: string;
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
  /** Approval id per step index, on a plan resumed after its approvals. */
  approvals?: Map<number, string>;
  /** On a resumed run: the results stored before the interruption, by step index; these steps do not run again. */
  replay?: Map<number, StepRecord>;
  /** On a resumed run: the step that was running, to run again with the same idempotency key. */
  retake?: RunningStep;
}

// The ticket stops being worked on: nobody needs the lease until someone picks it up again.
const RELEASES_LEASE: ReadonlySet<TicketStatus> = new Set([...FINAL_STATUSES, 'awaiting_approval', 'planned']);

/** A status change to write with other data: the target, states passed on the way, and audit details per state. */
interface Move {
  to: TicketStatus;
  via?: TicketStatus[];
  details?: Partial<Record<TicketStatus, Record<string, unknown>>>;
}

export class Orchestrator {
  private readonly writes: LeasedWrites;
  private readonly runner: StepRunner;
  /** Tickets this orchestrator is processing now. */
  private readonly active = new Set<string>();

  constructor(private readonly deps: OrchestratorDeps) {
    const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
    const owner = deps.instanceId ?? `orchestrator-${randomUUID()}`;
    this.writes = new LeasedWrites({ store: deps.store, logger: deps.logger, owner, leaseMs, storeWaitMs: deps.storeWaitMs ?? DEFAULT_STORE_WAIT_MS });
    this.runner = new StepRunner({ registry: deps.registry, retry: deps.retry ?? DEFAULT_RETRY, leaseMs, actor: ACTOR });
  }

  /** Analysis plus the plan it would lead to, without touching the store. */
  async preview(text: string, context: Ticket['context']): Promise<{ analysis: Analysis; plan: Plan }> {
    const { analysis, rulesPlan } = await this.analyze(text, context);
    return { analysis, plan: await this.choosePlan(analysis, text, rulesPlan) };
  }

  /**
   * Takes a ticket from wherever it stands to a final state (or to `planned`, for a dry run or an approval).
   * Throws a retryable error (STORE_UNAVAILABLE, TICKET_BUSY) and leaves the ticket as it stands when the store
   * is down or another process works on it: the queue tries again later.
   */
  async process(ticketId: string): Promise<ExecutionOutcome> {
    if (this.active.has(ticketId)) throw new TwisterError('TICKET_BUSY', `ticket ${ticketId} is already being processed here`, { ticketId });
    this.active.add(ticketId);
    try {
      const outcome = await this.advance(ticketId);
      // Waiting for a human is not done: the status event (to awaiting_approval) tells waiting clients.
      if (outcome.ticket.status === 'awaiting_approval') return outcome;
      this.deps.events.publish({ type: 'done', ticketId, status: outcome.ticket.status, success: outcome.success });
      return outcome;
    } finally {
      this.active.delete(ticketId);
      this.writes.forget(ticketId);
    }
  }

  private async advance(ticketId: string): Promise<ExecutionOutcome> {
    const ticket = await this.deps.store.get(ticketId);
    if (!ticket) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${ticketId}`);
    try {
      if (ticket.status === 'new' || ticket.status === 'triaged') return await this.planAndRun(ticket);
      if (ticket.status === 'planned' && !ticket.dryRun) return await this.resumePlanned(ticket);
      if (ticket.status === 'awaiting_approval') return await this.resumeApproved(ticket);
      if (FINAL_STATUSES.has(ticket.status) || ticket.status === 'planned') return settled(ticket);
      return await this.resume(ticket);
    } catch (error) {
      // The store is down or another process holds the ticket: nothing is decided, the queue tries again.
      if (isTwisterError(error) && error.retryable) throw error;
      return settled(await this.fail(ticketId, error));
    }
  }

  /** Executing or verifying when we got it (a crash, a kill, a lost store): go on from the first unfinished step. */
  private async resume(ticket: Ticket): Promise<ExecutionOutcome> {
    const progress = await this.deps.store.getProgress(ticket.id);
    const next = planResume(progress, ticket.status, this.writes.owner, (step) => this.runner.canRepeat(step));
    if (next.kind === 'busy') throw new TwisterError('TICKET_BUSY', `ticket ${ticket.id} is being worked on by ${next.holder}`, { ticketId: ticket.id });
    if (next.kind === 'lost' || !progress) {
      const reason = next.kind === 'lost' ? next.reason : 'nothing to resume';
      return settled(await this.write(ticket, { to: 'escalated', details: { escalated: { reason } } }, { patch: { escalationReason: reason }, audit: [] }));
    }
    const { execution } = progress;
    const needsApproval = execution.plan.steps.some((s) => s.decision === 'needs_approval');
    const approvals = needsApproval ? await this.deps.store.listApprovals({ executionId: execution.id, limit: 1000 }) : [];
    const run: Run = {
      ticket, executionId: execution.id, plan: execution.plan, steps: [],
      approvals: new Map(approvals.filter((a) => a.status === 'approved').map((a) => [a.stepIndex, a.id])),
      ...(next.kind === 'continue' ? { replay: next.replay, ...(next.retake ? { retake: next.retake } : {}) } : {}),
    };
    const running = next.kind === 'continue' ? next.retake : next.step;
    this.writes.attachAudit(ticket.id, [{ ticketId: ticket.id, actor: ACTOR, action: 'execution.resumed', details: {
      executionId: execution.id, status: ticket.status, finished: progress.steps.map((s) => s.index),
      ...(running ? { interrupted: running.index, rerun: next.kind === 'continue' } : {}),
    } }]);
    if (next.kind === 'interrupted') {
      const record = interruptedRecord(next.step, next.reason);
      run.steps.push(...progress.steps, record);
      return this.finish(run, 'escalated', next.reason, record);
    }
    return this.execute(run);
  }

  /** The analysis, with the agents the rules' plan would use; that plan is returned too so it is made once. */
  private async analyze(text: string, context: Ticket['context'], ticketId?: string): Promise<{ analysis: Analysis; rulesPlan: Plan }> {
    const analysis = await analyzeTicket(this.deps, text, context, ticketId);
    const rulesPlan = this.plan(analysis, text);
    analysis.suggestedAgents = [...new Set(rulesPlan.steps.map((s) => s.agent))];
    return { analysis, rulesPlan };
  }

  /** The LLM's runbook choice, filled and checked by the rules planner, when a model is configured; else the rules. */
  private async choosePlan(analysis: Analysis, text: string, rulesPlan?: Plan): Promise<Plan> {
    if (!this.deps.llm) return rulesPlan ?? this.plan(analysis, text);
    return planWithLlm(this.deps.llm, analysis, text, this.deps.runbooks(), this.deps.known(), (a, runbooks) => this.plan(a, text, runbooks));
  }

  /**
   * The plan one runbook would make for a description and context, whatever the ticket's category: the full
   * plan with parameters filled and a policy decision per step. Nothing is stored or run.
   */
  async planRunbook(runbook: Runbook, input: { description: string; context: Ticket['context']; params?: Record<string, unknown> }): Promise<{ analysis: Analysis; plan: Plan }> {
    const analysis = await analyzeTicket(this.deps, input.description, input.context);
    return { analysis, plan: this.plan(analysis, input.description, [runbook], { force: true, ...(input.params ? { overrides: input.params } : {}) }) };
  }

  private plan(analysis: Analysis, text: string, runbooks: readonly Runbook[] = this.deps.runbooks(), options: PlanOptions = {}): Plan {
    const registry = this.deps.registry;
    const name = analysis.context.serviceName;
    const service = name ? this.deps.serviceFacts?.(name) : undefined;
    return planTicket(analysis, text, runbooks, (id, params) => {
      const descriptor = registry.get(id);
      return descriptor ? { agent: descriptor.agent, risk: registry.riskOf(id, params)! } : undefined;
    }, service ? { service } : {}, { ...options, ...(this.deps.changePolicy ? { changePolicy: this.deps.changePolicy } : {}) });
  }

  /** Analysis and plan in one write; when every step may run unattended, straight on to executing. */
  private async planAndRun(ticket: Ticket): Promise<ExecutionOutcome> {
    const fresh = ticket.status === 'new';
    const analysed = fresh ? await this.analyze(ticket.description, ticket.context, ticket.id) : { analysis: ticket.analysis!, rulesPlan: undefined };
    const { analysis } = analysed;
    const plan = await this.choosePlan(analysis, ticket.description, analysed.rulesPlan);
    const executionId = randomUUID();
    const runnable = !ticket.dryRun && plan.steps.length > 0 && plan.steps.every((s) => s.decision === 'run');
    const waits = !runnable && !ticket.dryRun && plan.steps.length > 0 && !plan.escalation && plan.steps.every((s) => s.decision !== 'refuse');
    const approvals = waits ? this.approvalsFor(ticket, executionId, plan) : [];
    const via: TicketStatus[] = [...(fresh ? ['triaged' as const] : []), ...(runnable || waits ? ['planned' as const] : [])];
    const details = {
      triaged: { category: analysis.category, priority: analysis.priority, sentiment: analysis.sentiment, urgency: analysis.urgency },
      planned: { runbook: plan.runbookId, steps: plan.steps.length, executionId, dryRun: ticket.dryRun },
      executing: { executionId },
      awaiting_approval: { executionId, approvals: approvals.map((a) => ({ id: a.id, step: a.stepIndex })) },
    };
    const run: Run = { ticket, executionId, plan, steps: [] };
    run.ticket = await this.write(ticket, { to: runnable ? 'executing' : waits ? 'awaiting_approval' : 'planned', via, details }, {
      ...(fresh ? { patch: { analysis, category: analysis.category, priority: analysis.priority } } : {}),
      newExecution: { id: executionId, plan, dryRun: ticket.dryRun },
      ...(waits ? { newApprovals: approvals } : {}),
      audit: [],
    }, () => {
      if (fresh) this.deps.events.publish({ type: 'analysis', ticketId: ticket.id, analysis });
      this.deps.events.publish({ type: 'plan', ticketId: ticket.id, plan, dryRun: ticket.dryRun });
    });
    if (waits) return this.outcome(run, false);
    return runnable ? this.execute(run) : this.stopAtPlan(run);
  }

  /** One pending approval per step that policy will not run unattended, bound to the step by its hash. */
  private approvalsFor(ticket: Ticket, executionId: string, plan: Plan): NewApproval[] {
    const expiresAt = new Date(Date.now() + (this.deps.approvalTtlMs ?? DEFAULT_APPROVAL_TTL_MS)).toISOString();
    return plan.steps.filter((s) => s.decision === 'needs_approval').map((s) => ({
      id: randomUUID(), executionId, stepIndex: s.index, stepHash: stepHash(plan.runbookId, s.capability, s.params),
      requestedBy: ticket.requester, expiresAt,
    }));
  }

  /** A waiting plan whose approvals are all given: check each still matches its stored step, then run the plan. */
  private async resumeApproved(ticket: Ticket): Promise<ExecutionOutcome> {
    const execution = (await this.deps.store.getDetail(ticket.id))?.executions.at(-1);
    const approvals = execution ? await this.deps.store.listApprovals({ executionId: execution.id, limit: 1000 }) : [];
    if (!execution || approvals.length === 0 || approvals.some((a) => a.status !== 'approved')) return settled(ticket);
    const run: Run = { ticket, executionId: execution.id, plan: execution.plan, steps: [], approvals: new Map(approvals.map((a) => [a.stepIndex, a.id])) };
    const changed = approvals.find((a) => {
      const step = execution.plan.steps[a.stepIndex];
      return !step || stepHash(execution.plan.runbookId, step.capability, step.params) !== a.stepHash;
    });
    if (changed) return this.finish(run, 'escalated', `approval ${changed.id} does not match step ${changed.stepIndex} of the stored plan; nothing ran`);
    const approvedBy = [...new Set(approvals.map((a) => a.decidedBy))];
    run.ticket = await this.write(ticket, { to: 'executing', details: { executing: { executionId: execution.id, approvedBy } } }, { audit: [] });
    return this.execute(run);
  }

  /** A plan stored but not acted on (the process stopped in between): finish what stopAtPlan would have done. */
  private async resumePlanned(ticket: Ticket): Promise<ExecutionOutcome> {
    const execution = (await this.deps.store.getDetail(ticket.id))?.executions.at(-1);
    if (!execution) {
      const reason = 'planned with no stored plan; a human should look';
      return settled(await this.write(ticket, { to: 'escalated', details: { escalated: { reason } } }, { patch: { escalationReason: reason }, audit: [] }));
    }
    return this.stopAtPlan({ ticket, executionId: execution.id, plan: execution.plan, steps: [] });
  }

  private async stopAtPlan(run: Run): Promise<ExecutionOutcome> {
    const { plan, ticket } = run;
    if (ticket.dryRun) {
      await this.writes.apply(ticket.id, {
        finishExecution: { id: run.executionId, success: true, successRate: 0, summary: 'dry run: nothing was executed' },
        audit: [{ ticketId: ticket.id, actor: ACTOR, action: 'execution.dry_run', details: { executionId: run.executionId } }],
      }, true);
      return this.outcome(run, true);
    }
    if (plan.steps.length === 0) return this.finish(run, 'escalated', plan.escalation ?? 'the plan has no steps');
    // Approvals arrive with the runbook catalogue; until then a step that needs one goes to a human.
    const blocked = plan.steps.find((s) => s.decision !== 'run')!;
    const verdict = blocked.decision === 'refuse' ? 'is refused' : 'needs approval';
    return this.finish(run, 'escalated', `step ${blocked.index} (${blocked.capability}) ${verdict}: ${blocked.decisionReason}`);
  }

  private async execute(run: Run): Promise<ExecutionOutcome> {
    const work = run.plan.steps.filter((s) => s.phase !== 'verify' && s.phase !== 'rollback');
    for (const [i, step] of work.entries()) {
      // A step policy would not run unattended runs only on its own approval, consumed exactly once.
      // A step that ran before an interruption consumed its approval then.
      const ranBefore = run.replay?.has(step.index) || run.retake?.index === step.index;
      const approval = step.decision === 'run' || ranBefore ? undefined : run.approvals?.get(step.index);
      if (step.decision !== 'run' && !ranBefore && !(approval && await this.deps.store.consumeApproval(approval))) {
        return this.finish(run, 'escalated', `step ${step.index} (${step.capability}) has no unused approval; it did not run`);
      }
      const record = await this.invoke(run, step);
      if (record.error && (step.phase === 'fix' || step.phase === 'backup')) {
        const reason = `${step.phase} step ${step.index} (${step.capability}) failed: ${record.error.code} ${record.error.message}`;
        // A fix that failed part way may have changed things: put back what this execution saved.
        if (step.phase === 'fix' && backupsTaken(run.steps).length > 0) {
          await this.recordStep(run, record);
          return this.rollBack(run, reason);
        }
        return this.finish(run, 'escalated', reason, record);
      }
      if (i < work.length - 1) {
        await this.recordStep(run, record);
      } else if (run.plan.escalation) {
        return this.finish(run, 'escalated', run.plan.escalation, record);
      } else {
        run.ticket = await this.recordStep(run, record, { to: 'verifying', details: { verifying: { executionId: run.executionId } } });
      }
    }
    if (work.length === 0 && run.ticket.status === 'executing') run.ticket = await this.write(run.ticket, { to: 'verifying' }, { audit: [] });
    return this.verify(run);
  }

  private async verify(run: Run): Promise<ExecutionOutcome> {
    const checks = run.plan.steps.filter((s) => s.phase === 'verify');
    const { failures, passes, last } = await this.runChecks(run, checks);
    if (checks.length === 0) failures.push('the plan has no verification');
    if (failures.length > 0) {
      const reason = `verification failed: ${failures.join('; ')}`;
      if (backupsTaken(run.steps).length === 0) return this.finish(run, 'escalated', reason, last);
      if (last) await this.recordStep(run, last);
      return this.rollBack(run, reason);
    }
    const changed = run.steps.some((s) => s.phase === 'fix' && s.status === 'succeeded');
    const note = `${changed ? 'Fixed and verified' : 'Verified, no change was needed'} (runbook ${run.plan.runbookId}): ${passes.join('; ')}`;
    return this.finish(run, 'resolved', note, last);
  }

  /** Runs checks in order, writing each result but the last, which the caller writes with the move it leads to. */
  private async runChecks(run: Run, checks: readonly PlannedStep[]): Promise<{ failures: string[]; passes: string[]; last?: StepRecord }> {
    const failures: string[] = [];
    const passes: string[] = [];
    let last: StepRecord | undefined;
    for (const [i, step] of checks.entries()) {
      const record = await this.invoke(run, step);
      if (i < checks.length - 1) await this.recordStep(run, record);
      else last = record;
      // Condition values may name earlier outputs (`{{steps.usage.bytes}}`): read them as they are now.
      const expect = step.expect ? resolveStepParams({ expect: step.expect }, stepOutputs(run.plan.steps, run.steps)) : undefined;
      const verdict = expect?.ok === false
        ? { passed: false, text: `${step.description}: ${expect.reason}` }
        : judgeCheck(expect?.ok ? { ...step, expect: expect.value.expect } : step, record);
      (verdict.passed ? passes : failures).push(verdict.text);
    }
    return { failures, passes, last };
  }

  /**
   * The fix did not hold: restore the backups this execution took (newest first), run the verify steps again,
   * and escalate with both results attached. The ticket goes to a human even when the rollback worked.
   */
  private async rollBack(run: Run, failure: string): Promise<ExecutionOutcome> {
    const restores = restoreSteps(backupsTaken(run.steps), run.plan.steps.length);
    const rollback: string[] = [];
    let restoredAll = true;
    for (const step of restores) {
      const record = await this.invoke(run, step);
      await this.recordStep(run, record);
      restoredAll &&= !record.error;
      rollback.push(record.error ? `backup ${String(step.params.backup_id)} not restored: ${record.error.code} ${record.error.message}` : `backup ${String(step.params.backup_id)} restored`);
    }
    // The runbook's own rollback steps (undo what a backup does not cover), when policy lets them run.
    for (const step of run.plan.steps.filter((s) => s.phase === 'rollback')) {
      if (step.decision !== 'run') {
        restoredAll = false;
        rollback.push(`step ${step.index} (${step.capability}) not run: ${step.decisionReason}`);
        continue;
      }
      const record = await this.invoke(run, step);
      await this.recordStep(run, record);
      restoredAll &&= !record.error;
      rollback.push(record.error ? `${step.description}: ${record.error.code} ${record.error.message}` : `${step.description}: done`);
    }
    const rechecks = recheckSteps(run.plan.steps.filter((s) => s.phase === 'verify'), run.plan.steps.length + restores.length);
    const again = await this.runChecks(run, rechecks);
    const passed = restoredAll && rechecks.length > 0 && again.failures.length === 0;
    this.deps.onRollback?.({ outcome: restoredAll ? 'restored' : 'restore_failed', reverification: passed ? 'passed' : 'failed' });
    const results = [...again.failures, ...again.passes];
    const summary = `${failure}; rolled back: ${rollback.join('; ')}; re-verification ${passed ? 'passed' : 'failed'}: ${results.join('; ') || 'nothing to check'}`;
    const attached = { verification: failure, rollback, reverification: { passed, results } };
    return this.finish(run, 'escalated', summary, again.last, attached);
  }

  private async invoke(run: Run, step: PlannedStep): Promise<StepRecord> {
    // Finished before an interruption: its stored result stands in, and nothing runs.
    const stored = run.replay?.get(step.index);
    if (stored) {
      run.steps.push(stored);
      return stored;
    }
    const startedAt = new Date();
    const outputs = stepOutputs(run.plan.steps, run.steps);
    const skipped = skipReason(step, outputs);
    if (skipped) return this.skip(run, step, skipped, startedAt);
    // `{{steps.<id>.…}}` parameters take the outputs of earlier steps now; the record keeps what really ran.
    const resolved = resolveStepParams(step.params, outputs);
    const params = resolved.ok ? resolved.value : step.params;
    const { result, attempts, durationMs } = resolved.ok
      ? await this.runStep(run, step, params)
      : { result: { ok: false as const, error: toErrorInfo(new TwisterError('TEMPLATE_UNRESOLVED', resolved.reason), 'TEMPLATE_UNRESOLVED'), durationMs: 0 }, attempts: 1, durationMs: 0 };
    const record: StepRecord = {
      executionId: run.executionId, ticketId: run.ticket.id, index: step.index, phase: step.phase,
      agent: step.agent, capability: step.capability, params, risk: step.risk,
      status: result.ok ? 'succeeded' : 'failed',
      // Stored, returned and streamed: command output and errors lose their secrets before any of that.
      output: result.ok ? redactValue(result.output) : null,
      error: result.ok ? null : redactValue(result.error),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date(startedAt.getTime() + durationMs).toISOString(),
      durationMs: Math.round(durationMs * 1000) / 1000,
      attempts,
    };
    run.steps.push(record);
    return record;
  }

  /** A step whose `when` does not hold: recorded as skipped, with why; nothing runs. */
  private skip(run: Run, step: PlannedStep, reason: string, at: Date): StepRecord {
    const record: StepRecord = {
      executionId: run.executionId, ticketId: run.ticket.id, index: step.index, phase: step.phase, agent: step.agent,
      capability: step.capability, params: step.params, risk: step.risk, status: 'skipped', output: { skipped: reason }, error: null,
      startedAt: at.toISOString(), finishedAt: at.toISOString(), durationMs: 0, attempts: 0,
    };
    run.steps.push(record);
    return record;
  }

  /** Claims the step as running (or takes up the one an interruption left running), then runs it with retries. */
  private runStep(run: Run, step: PlannedStep, params: Record<string, unknown>): Promise<StepOutcome> {
    const ticketId = run.ticket.id;
    const writes: StepWrites = {
      commit: async (change) => {
        run.ticket = await this.writes.apply(ticketId, change);
      },
      renewLease: () => this.writes.renew(ticketId),
    };
    const retake = run.retake?.index === step.index ? run.retake : undefined;
    return this.runner.run({ ticketId, executionId: run.executionId, status: run.ticket.status }, step, params, writes, retake);
  }

  /** Writes a step's result, with the status change it leads to when there is one. */
  private async recordStep(run: Run, record: StepRecord, move?: Move, change: Omit<TicketChange, 'audit'> = {}): Promise<Ticket> {
    const audit: AuditEntry = {
      ticketId: run.ticket.id, actor: ACTOR, action: record.error ? 'step.failed' : 'step.succeeded',
      details: { executionId: run.executionId, index: record.index, capability: record.capability, ...(record.error ? { error: record.error.code } : {}) },
    };
    // Stored before an interruption, with the move it led to: the ticket already stands where that write put it.
    if (run.replay?.has(record.index)) return run.ticket;
    const publish = () => this.deps.events.publish({ type: 'step', ticketId: run.ticket.id, step: record });
    if (move) return this.write(run.ticket, move, { ...change, steps: [record], audit: [audit] }, publish);
    const ticket = await this.writes.apply(run.ticket.id, { ...change, steps: [record], audit: [audit] });
    publish();
    return ticket;
  }

  private async finish(run: Run, to: 'resolved' | 'escalated', summary: string, record?: StepRecord, attached: Record<string, unknown> = {}): Promise<ExecutionOutcome> {
    const successRate = rate(run.steps);
    const change = {
      patch: to === 'resolved' ? { resolutionNote: summary } : { escalationReason: summary },
      finishExecution: { id: run.executionId, success: to === 'resolved', successRate, summary },
    };
    const move: Move = { to, details: { [to]: { reason: summary, executionId: run.executionId, successRate, ...attached } } };
    run.ticket = record
      ? await this.recordStep(run, record, move, change)
      : await this.write(run.ticket, move, { ...change, audit: [] });
    return this.outcome(run, to === 'resolved');
  }

  private outcome(run: Run, success: boolean): ExecutionOutcome {
    return { ticket: run.ticket, plan: run.plan, steps: run.steps, success, successRate: rate(run.steps) };
  }

  /**
   * One transaction: the status change (compare-and-swap, through `via`), whatever else the phase writes, and an
   * audit row per state entered. Events go out after the commit, so a listener never sees what was not stored.
   */
  private async write(ticket: Ticket, move: Move, change: TicketChange, before?: () => void): Promise<Ticket> {
    const hops = [ticket.status, ...(move.via ?? []), move.to];
    const audit: AuditEntry[] = hops.slice(1).map((to, i) => ({
      ticketId: ticket.id, actor: ACTOR, action: 'ticket.status_changed', fromStatus: hops[i]!, toStatus: to, details: move.details?.[to] ?? {},
    }));
    const next = await this.writes.apply(ticket.id, {
      ...change,
      transition: { from: ticket.status, to: move.to, ...(move.via?.length ? { via: move.via } : {}) },
      audit: [...change.audit, ...audit],
    }, RELEASES_LEASE.has(move.to));
    before?.();
    for (const row of audit) {
      const reason = row.details?.reason;
      this.deps.events.publish({
        type: 'status', ticketId: ticket.id, from: row.fromStatus!, to: row.toStatus!, at: next.updatedAt,
        ...(typeof reason === 'string' ? { reason } : {}),
      });
    }
    return next;
  }

  private async fail(ticketId: string, error: unknown): Promise<Ticket> {
    const info = toErrorInfo(error, 'INTERNAL');
    this.deps.logger.error({ err: error, ticketId }, 'ticket processing failed');
    const current = await this.deps.store.get(ticketId);
    if (!current) throw error;
    if (FINAL_STATUSES.has(current.status) || info.code === 'INVALID_TRANSITION') return current;
    const reason = `internal error: ${info.code}`;
    return this.write(current, { to: 'failed', details: { failed: { reason } } }, { patch: { escalationReason: reason }, audit: [] });
  }
}

/** Share of the steps that ran which succeeded (a skipped step did not run). */
function rate(steps: readonly StepRecord[]): number {
  const ran = steps.filter((s) => s.status !== 'skipped');
  return ran.length === 0 ? 0 : ran.filter((s) => s.status === 'succeeded').length / ran.length;
}

function settled(ticket: Ticket): ExecutionOutcome {
  return { ticket, plan: null, steps: [], success: ticket.status === 'resolved', successRate: 0 };
}
