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
import { planDiagnosis } from './diagnosis/plan-diagnosis.ts';
import { describeChecks, isFault, readDiagnosis, targetOf } from './diagnosis/read-diagnosis.ts';
import { planTicket, type CatalogueLookup, type PlanOptions } from './planner.ts';
import { describeFindings, handoff } from './remedy/outcome-texts.ts';
import { remedyPlan } from './remedy/remedy-plan.ts';
import { addressedFindings, findingsAfter, judgeRecheck } from './remedy/verification.ts';
import type { ChangePolicy } from './policy.ts';
import { redactValue } from './redaction.ts';
import { backupsTaken, judgeCheck, recheckSteps, restoreSteps, type RollbackEvent } from './rollback.ts';
import type { CapabilityRegistry } from './registry.ts';
import { interruptedRecord, planResume } from './resume.ts';
import { ACTOR, rate, RunRecorder, stepAudit, type ExecutionOutcome, type Run } from './run-record.ts';
import type { Runbook } from './runbooks/runbook.ts';
import { resolveStepParams, skipReason, stepOutputs } from './runbooks/step-templates.ts';
import { DEFAULT_RETRY, StepRunner, type RetryPolicy, type StepOutcome, type StepWrites } from './step-runner.ts';
import { analyzeTicket } from './ticket-analyzer.ts';
import { notForDiagnosis } from './handoff/handoff.ts';
import { handoffPatch } from './handoff/escalation.ts';
import { DEFAULT_ROUTING, route, type Routing } from './routing/routing.ts';
import type { StepRecord, Ticket, TicketChange, TicketRepository } from './ticket-repository.ts';
import {
  SETTLED_STATUSES,
  type Analysis,
  type Category,
  type Finding,
  type Plan,
  type PlannedStep,
  type TicketOutcome,
  type TicketStatus,
} from './ticket.ts';

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
  /** Team routing (TWISTERLAB_ROUTING_FILE); the built-in routing without one. */
  routing?: Routing;
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

export type { ExecutionOutcome };

export class Orchestrator {
  private readonly writes: LeasedWrites;
  private readonly runner: StepRunner;
  /** Tickets this orchestrator is processing now. */
  private readonly active = new Set<string>();

  private readonly record: RunRecorder;

  constructor(private readonly deps: OrchestratorDeps) {
    const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
    const owner = deps.instanceId ?? `orchestrator-${randomUUID()}`;
    this.writes = new LeasedWrites({
      store: deps.store,
      logger: deps.logger,
      owner,
      leaseMs,
      storeWaitMs: deps.storeWaitMs ?? DEFAULT_STORE_WAIT_MS,
    });
    this.record = new RunRecorder({
      writes: this.writes,
      events: deps.events,
      handoff: (ticket, facts) => this.handoff(ticket, facts),
    });
    this.runner = new StepRunner({
      registry: deps.registry,
      retry: deps.retry ?? DEFAULT_RETRY,
      leaseMs,
      actor: ACTOR,
    });
  }

  /** Analysis plus the plan it would lead to, without touching the store. */
  async preview(text: string, context: Ticket['context']): Promise<{ analysis: Analysis; plan: Plan }> {
    const { analysis, rulesPlan } = await this.analyze(text, context);
    return { analysis, plan: await this.choosePlan(analysis, text, rulesPlan) };
  }

  /**
   * Takes a ticket from wherever it stands to a final state (or to `planned`, for a dry run or an approval).
   * Throws a retryable error (STORE_UNAVAILABLE, TICKET_BUSY) and leaves the ticket as it stands when the store
   * is down or another process works on it: the queue tries again later. `fresh`: the ticket as its caller has just
   * created it, which saves reading it back.
   */
  async process(ticketId: string, fresh?: Ticket): Promise<ExecutionOutcome> {
    if (this.active.has(ticketId))
      throw new TwisterError('TICKET_BUSY', `ticket ${ticketId} is already being processed here`, { ticketId });
    this.active.add(ticketId);
    try {
      const outcome = await this.advance(ticketId, fresh);
      // Waiting for a human is not done: the status event (to awaiting_approval) tells waiting clients.
      if (outcome.ticket.status === 'awaiting_approval') return outcome;
      this.deps.events.publish({ type: 'done', ticketId, status: outcome.ticket.status, success: outcome.success });
      return outcome;
    } finally {
      this.active.delete(ticketId);
      this.writes.forget(ticketId);
    }
  }

  private async advance(ticketId: string, fresh?: Ticket): Promise<ExecutionOutcome> {
    // A ticket its caller has just created is taken as given (every write checks the stored status anyway).
    const ticket = fresh?.id === ticketId ? fresh : await this.deps.store.get(ticketId);
    if (!ticket) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${ticketId}`);
    try {
      if (ticket.status === 'new' || ticket.status === 'triaged') return await this.planAndRun(ticket);
      if (ticket.status === 'planned' && !ticket.dryRun) return await this.resumePlanned(ticket);
      if (ticket.status === 'awaiting_approval') return await this.resumeApproved(ticket);
      if (SETTLED_STATUSES.has(ticket.status) || ticket.status === 'planned') return settled(ticket);
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
    if (next.kind === 'busy')
      throw new TwisterError('TICKET_BUSY', `ticket ${ticket.id} is being worked on by ${next.holder}`, {
        ticketId: ticket.id,
      });
    if (next.kind === 'lost' || !progress) {
      const reason = next.kind === 'lost' ? next.reason : 'nothing to resume';
      return settled(
        await this.record.escalate(
          ticket,
          reason,
          `the work on it stopped (${ticket.status}) and no stored plan is left to go on from: check what was done on the system, then finish by hand or run the ticket again`,
        ),
      );
    }
    const { execution } = progress;
    const needsApproval = execution.plan.steps.some((s) => s.decision === 'needs_approval');
    const approvals = needsApproval
      ? await this.deps.store.listApprovals({ executionId: execution.id, limit: 1000 })
      : [];
    const run: Run = {
      ticket,
      executionId: execution.id,
      plan: execution.plan,
      steps: [],
      approvals: new Map(approvals.filter((a) => a.status === 'approved').map((a) => [a.stepIndex, a.id])),
      ...(next.kind === 'continue' ? { replay: next.replay, ...(next.retake ? { retake: next.retake } : {}) } : {}),
    };
    const running = next.kind === 'continue' ? next.retake : next.step;
    this.writes.attachAudit(ticket.id, [
      {
        ticketId: ticket.id,
        actor: ACTOR,
        action: 'execution.resumed',
        details: {
          executionId: execution.id,
          status: ticket.status,
          finished: progress.steps.map((s) => s.index),
          ...(running ? { interrupted: running.index, rerun: next.kind === 'continue' } : {}),
        },
      },
    ]);
    if (next.kind === 'interrupted') {
      const record = interruptedRecord(next.step, next.reason);
      run.steps.push(...progress.steps, record);
      return this.record.finish(
        run,
        'escalated',
        next.reason,
        record,
        {},
        {
          leftToDo: `the work stopped in the middle of a change (${run.plan.steps[next.step.index]?.description ?? next.step.capability}) that is not safe to repeat: check whether it took effect, then finish by hand or run the ticket again`,
        },
      );
    }
    return this.execute(run);
  }

  /** The analysis, with the agents the rules' plan would use; that plan is returned too so it is made once. */
  private async analyze(
    text: string,
    context: Ticket['context'],
    ticketId?: string,
  ): Promise<{ analysis: Analysis; rulesPlan: Plan }> {
    const analysis = await analyzeTicket(this.deps, text, context, ticketId);
    const routed = route(this.deps.routing ?? DEFAULT_ROUTING, analysis, text);
    Object.assign(analysis, { team: routed.team, ...(routed.assignee ? { assignee: routed.assignee } : {}) });
    analysis.evidence.routing = [routed.reason];
    const rulesPlan = this.plan(analysis, text);
    analysis.suggestedAgents = [...new Set(rulesPlan.steps.map((s) => s.agent))];
    return { analysis, rulesPlan };
  }

  /** The LLM's runbook choice, filled and checked by the rules planner, when a model is configured; else the rules. */
  private async choosePlan(analysis: Analysis, text: string, rulesPlan?: Plan): Promise<Plan> {
    if (!this.deps.llm) return rulesPlan ?? this.plan(analysis, text);
    return planWithLlm(this.deps.llm, analysis, text, this.deps.runbooks(), this.deps.known(), (a, runbooks) =>
      this.plan(a, text, runbooks),
    );
  }

  /**
   * The plan one runbook would make for a description and context, whatever the ticket's category: the full
   * plan with parameters filled and a policy decision per step. Nothing is stored or run.
   */
  async planRunbook(
    runbook: Runbook,
    input: { description: string; context: Ticket['context']; params?: Record<string, unknown> },
  ): Promise<{ analysis: Analysis; plan: Plan }> {
    const analysis = await analyzeTicket(this.deps, input.description, input.context);
    return {
      analysis,
      plan: this.plan(analysis, input.description, [runbook], {
        force: true,
        ...(input.params ? { overrides: input.params } : {}),
      }),
    };
  }

  private plan(
    analysis: Analysis,
    text: string,
    runbooks: readonly Runbook[] = this.deps.runbooks(),
    options: PlanOptions = {},
  ): Plan {
    return planTicket(analysis, text, runbooks, this.lookup, this.facts(analysis), {
      ...options,
      ...this.policyOptions(),
    });
  }

  private readonly lookup: CatalogueLookup = (id, params) => {
    const descriptor = this.deps.registry.get(id);
    return descriptor ? { agent: descriptor.agent, risk: this.deps.registry.riskOf(id, params)! } : undefined;
  };

  private facts(analysis: Analysis): Record<string, unknown> {
    const name = analysis.context.serviceName;
    const service = name ? this.deps.serviceFacts?.(name) : undefined;
    return service ? { service } : {};
  }

  private policyOptions(): PlanOptions {
    return this.deps.changePolicy ? { changePolicy: this.deps.changePolicy } : {};
  }

  /** Analysis and plan in one write; when every step may run unattended, straight on to executing. */
  private async planAndRun(ticket: Ticket): Promise<ExecutionOutcome> {
    const fresh = ticket.status === 'new';
    const analysed = fresh
      ? await this.analyze(ticket.description, ticket.context, ticket.id)
      : { analysis: ticket.analysis!, rulesPlan: undefined };
    const { analysis } = analysed;
    // A real ticket is diagnosed first and acted on only for what diagnosis confirms; a dry run shows the plan
    // the best-fitting runbook would make, and runs nothing.
    if (!ticket.dryRun) return this.diagnose(ticket, analysis, fresh, analysed.rulesPlan);
    const plan = await this.choosePlan(analysis, ticket.description, analysed.rulesPlan);
    const executionId = randomUUID();
    const runnable = !ticket.dryRun && plan.steps.length > 0 && plan.steps.every((s) => s.decision === 'run');
    const waits =
      !runnable &&
      !ticket.dryRun &&
      plan.steps.length > 0 &&
      !plan.escalation &&
      plan.steps.every((s) => s.decision !== 'refuse');
    const approvals = waits ? this.approvalsFor(ticket, executionId, plan) : [];
    const via: TicketStatus[] = [
      ...(fresh ? ['triaged' as const] : []),
      ...(runnable || waits ? ['planned' as const] : []),
    ];
    const details = {
      triaged: {
        category: analysis.category,
        priority: analysis.priority,
        sentiment: analysis.sentiment,
        urgency: analysis.urgency,
      },
      planned: { runbook: plan.runbookId, steps: plan.steps.length, executionId, dryRun: ticket.dryRun },
      executing: { executionId },
      awaiting_approval: { executionId, approvals: approvals.map((a) => ({ id: a.id, step: a.stepIndex })) },
    };
    const run: Run = { ticket, executionId, plan, steps: [] };
    run.ticket = await this.record.write(
      ticket,
      { to: runnable ? 'executing' : waits ? 'awaiting_approval' : 'planned', via, details },
      {
        ...(fresh ? { patch: triagePatch(analysis) } : {}),
        newExecution: { id: executionId, plan, dryRun: ticket.dryRun },
        ...(waits ? { newApprovals: approvals } : {}),
        audit: [],
      },
      () => {
        if (fresh) this.deps.events.publish({ type: 'analysis', ticketId: ticket.id, analysis });
        this.deps.events.publish({ type: 'plan', ticketId: ticket.id, plan, dryRun: ticket.dryRun });
      },
    );
    if (waits) return this.record.outcome(run, false);
    return runnable ? this.execute(run) : this.stopAtPlan(run);
  }

  /**
   * Diagnose broadly: the read-only checks of every runbook that fits the ticket's target, in one execution. A
   * model, when configured, only says which hypothesis to look at first; it never adds a target or a change.
   */
  private async diagnose(
    ticket: Ticket,
    analysis: Analysis,
    fresh: boolean,
    rulesPlan?: Plan,
  ): Promise<ExecutionOutcome> {
    const text = ticket.description;
    const chosen = this.deps.llm ? await this.choosePlan(analysis, text, rulesPlan) : undefined;
    const preferred = chosen?.path === 'llm' ? (chosen.runbookId ?? undefined) : undefined;
    // Not a fault of ours (billing, an order, a question with no system of ours, the requester's own laptop, a
    // fault naming no system): nothing is diagnosed — least of all this host — and a person takes it.
    const decided = planDiagnosis(analysis, text, this.deps.runbooks(), this.lookup, this.facts(analysis), preferred);
    const executionId = randomUUID();
    const plan: Plan =
      decided.hypotheses.fits.length > 0
        ? {
            ...decided.plan,
            ...(chosen?.path ? { path: chosen.path } : {}),
            ...(chosen?.fallbackReason ? { fallbackReason: chosen.fallbackReason } : {}),
          }
        : decided.plan;
    const to: TicketStatus = plan.escalation ? 'triaged' : 'diagnosing';
    const details = {
      triaged: {
        category: analysis.category,
        priority: analysis.priority,
        sentiment: analysis.sentiment,
        urgency: analysis.urgency,
      },
      diagnosing: {
        executionId,
        hypotheses: plan.hypotheses?.map((h) => h.runbookId) ?? [],
        checks: plan.steps.length,
      },
    };
    const run: Run = { ticket, executionId, plan, steps: [] };
    run.ticket = await this.record.write(
      ticket,
      { to, ...(fresh && to !== 'triaged' ? { via: ['triaged'] } : {}), details },
      {
        ...(fresh ? { patch: triagePatch(analysis) } : {}),
        newExecution: { id: executionId, plan, dryRun: false },
        audit: [],
      },
      () => {
        if (fresh) this.deps.events.publish({ type: 'analysis', ticketId: ticket.id, analysis });
        this.deps.events.publish({ type: 'plan', ticketId: ticket.id, plan, dryRun: false });
      },
    );
    if (plan.escalation)
      return this.record.finish(run, 'escalated', plan.escalation, undefined, {}, { outcome: 'handed_over' });
    return this.execute(run);
  }

  /**
   * What diagnosis found decides: no fault → `no_fault_found` (the requester confirms or reopens); faults with no
   * safe fix → a human, with the findings; otherwise the remedy of the best-fitting fix, in a new execution.
   */
  private async afterDiagnosis(run: Run, last?: StepRecord): Promise<ExecutionOutcome> {
    // `last`: the result of the last check, not written yet; it goes with the write this decision leads to.
    const analysis = run.ticket.analysis!;
    const catalogue = this.deps.runbooks();
    const hypotheses = (run.plan.hypotheses ?? [])
      .map((h) => catalogue.find((r) => r.id === h.runbookId))
      .filter((r): r is Runbook => !!r);
    const diagnosis = readDiagnosis(run.plan, run.steps, catalogue, targetOf(analysis));
    const { findings } = diagnosis;
    const faults = findings.filter(isFault);
    if (faults.length === 0) {
      const handover = hypotheses.find((r) => r.escalateAfterDiagnosis && !r.findings?.length);
      if (handover)
        return this.record.finish(
          run,
          'escalated',
          handover.escalateAfterDiagnosis!,
          last,
          {},
          { findings, outcome: 'handed_over' },
        );
      const seen =
        findings.length > 0 ? `; also seen (not a fault by itself): ${findings.map((f) => f.summary).join('; ')}` : '';
      const note = `No fault found. Checked: ${describeChecks(diagnosis.checked) || 'no check could run'}${seen}. Confirm that all is well, or reopen the ticket saying what you see.`;
      return this.record.finish(run, 'no_fault_found', note, last, {}, { findings, outcome: 'no_fault_found' });
    }
    const plan = remedyPlan({
      analysis,
      text: run.ticket.description,
      runbooks: hypotheses,
      lookup: this.lookup,
      facts: this.facts(analysis),
      options: this.policyOptions(),
      diagnosis,
      diagnosisPlan: run.plan,
    });
    if (!plan)
      return this.record.finish(
        run,
        'escalated',
        handoff(faults, hypotheses),
        last,
        {},
        { findings, outcome: 'handed_over' },
      );
    return this.startRemedy(run, plan, findings, undefined, last);
  }

  /**
   * Diagnosis closed and the remedy stored in one write (with the last check's result, `last`, when it is not
   * written yet); then it runs, waits for its approvals, or goes to a human.
   */
  private async startRemedy(
    diagnosis: Run,
    plan: Plan,
    findings: Finding[],
    previous?: string,
    last?: StepRecord,
  ): Promise<ExecutionOutcome> {
    const { ticket } = diagnosis;
    const executionId = randomUUID();
    const runnable = plan.steps.every((s) => s.decision === 'run');
    const refused = plan.steps.find((s) => s.decision === 'refuse');
    const approvals = !runnable && !refused ? this.approvalsFor(ticket, executionId, plan) : [];
    const to: TicketStatus = runnable ? 'executing' : refused ? 'planned' : 'awaiting_approval';
    const summary =
      previous ??
      `diagnosis confirmed ${findings
        .filter(isFault)
        .map((f) => f.id)
        .join(', ')}; remedy: runbook ${plan.runbookId}`;
    const run: Run = { ticket, executionId, plan, steps: [] };
    // The last check of the diagnosis, when it is not written yet, is written here with the move it leads to.
    run.ticket = await this.record.write(
      ticket,
      {
        to,
        details: {
          [to]: {
            executionId,
            runbook: plan.runbookId,
            findings: findings.map((f) => f.id),
            ...(approvals.length > 0 ? { approvals: approvals.map((a) => ({ id: a.id, step: a.stepIndex })) } : {}),
          },
        },
      },
      {
        ...(last ? { steps: [last] } : {}),
        patch: { findings, ...(approvals.length > 0 ? this.approvalHandoff(ticket, plan, findings) : {}) },
        finishExecution: {
          id: diagnosis.executionId,
          success: previous === undefined,
          successRate: rate(diagnosis.steps),
          summary,
        },
        newExecution: { id: executionId, plan, dryRun: false },
        ...(approvals.length > 0 ? { newApprovals: approvals } : {}),
        audit: [
          ...(last ? [stepAudit(diagnosis, last)] : []),
          {
            ticketId: ticket.id,
            actor: ACTOR,
            action: previous ? 'remedy.next' : 'diagnosis.finished',
            details: {
              executionId: diagnosis.executionId,
              findings: findings.map((f) => ({ id: f.id, target: f.target, evidence: f.evidence })),
              ...(previous ? { after: previous } : {}),
            },
          },
        ],
      },
      () => {
        if (last) this.deps.events.publish({ type: 'step', ticketId: ticket.id, step: last });
        this.deps.events.publish({ type: 'plan', ticketId: ticket.id, plan, dryRun: false });
      },
    );
    if (refused) {
      return this.record.finish(
        run,
        'escalated',
        `step ${refused.index} (${refused.capability}) is refused: ${refused.decisionReason}`,
        undefined,
        {},
        {
          outcome: 'handed_over',
          leftToDo: `the fix for what was found (${refused.description}) is not allowed to run here: a person decides whether and how to make it`,
        },
      );
    }
    return runnable ? this.execute(run) : this.record.outcome(run, false);
  }

  /** One pending approval per step that policy will not run unattended, bound to the step by its hash. */
  private approvalsFor(ticket: Ticket, executionId: string, plan: Plan): NewApproval[] {
    const expiresAt = new Date(Date.now() + (this.deps.approvalTtlMs ?? DEFAULT_APPROVAL_TTL_MS)).toISOString();
    return plan.steps
      .filter((s) => s.decision === 'needs_approval')
      .map((s) => ({
        id: randomUUID(),
        executionId,
        stepIndex: s.index,
        stepHash: stepHash(plan.runbookId, s.capability, s.params),
        requestedBy: ticket.requester,
        expiresAt,
      }));
  }

  /** A waiting plan whose approvals are all given: check each still matches its stored step, then run the plan. */
  private async resumeApproved(ticket: Ticket): Promise<ExecutionOutcome> {
    const execution = (await this.deps.store.getDetail(ticket.id))?.executions.at(-1);
    const approvals = execution ? await this.deps.store.listApprovals({ executionId: execution.id, limit: 1000 }) : [];
    if (!execution || approvals.length === 0 || approvals.some((a) => a.status !== 'approved')) return settled(ticket);
    const run: Run = {
      ticket,
      executionId: execution.id,
      plan: execution.plan,
      steps: [],
      approvals: new Map(approvals.map((a) => [a.stepIndex, a.id])),
    };
    const changed = approvals.find((a) => {
      const step = execution.plan.steps[a.stepIndex];
      return !step || stepHash(execution.plan.runbookId, step.capability, step.params) !== a.stepHash;
    });
    if (changed) {
      return this.record.finish(
        run,
        'escalated',
        `approval ${changed.id} does not match step ${changed.stepIndex} of the stored plan; nothing ran`,
        undefined,
        {},
        {
          leftToDo:
            'an approval no longer matches the planned change, so nothing ran: check the plan and run the ticket again if it is still wanted',
        },
      );
    }
    const approvedBy = [...new Set(approvals.map((a) => a.decidedBy))];
    run.ticket = await this.record.write(
      ticket,
      { to: 'executing', details: { executing: { executionId: execution.id, approvedBy } } },
      { audit: [] },
    );
    return this.execute(run);
  }

  /** A plan stored but not acted on (the process stopped in between): finish what stopAtPlan would have done. */
  private async resumePlanned(ticket: Ticket): Promise<ExecutionOutcome> {
    const execution = (await this.deps.store.getDetail(ticket.id))?.executions.at(-1);
    if (!execution) {
      const reason = 'planned with no stored plan; a human should look';
      return settled(
        await this.record.escalate(
          ticket,
          reason,
          'its plan was lost before anything ran: decide what to do, or run the ticket again',
        ),
      );
    }
    return this.stopAtPlan({ ticket, executionId: execution.id, plan: execution.plan, steps: [] });
  }

  private async stopAtPlan(run: Run): Promise<ExecutionOutcome> {
    const { plan, ticket } = run;
    if (ticket.dryRun) {
      await this.writes.apply(
        ticket.id,
        {
          finishExecution: {
            id: run.executionId,
            success: true,
            successRate: 0,
            summary: 'dry run: nothing was executed',
          },
          audit: [
            {
              ticketId: ticket.id,
              actor: ACTOR,
              action: 'execution.dry_run',
              details: { executionId: run.executionId },
            },
          ],
        },
        true,
      );
      return this.record.outcome(run, true);
    }
    if (plan.steps.length === 0)
      return this.record.finish(run, 'escalated', plan.escalation ?? 'the plan has no steps');
    // Approvals arrive with the runbook catalogue; until then a step that needs one goes to a human.
    const blocked = plan.steps.find((s) => s.decision !== 'run')!;
    const verdict = blocked.decision === 'refuse' ? 'is refused' : 'needs approval';
    return this.record.finish(
      run,
      'escalated',
      `step ${blocked.index} (${blocked.capability}) ${verdict}: ${blocked.decisionReason}`,
      undefined,
      {},
      {
        leftToDo: `${blocked.decision === 'refuse' ? 'the policy does not let TwisterLab make this change' : 'this change may not run unattended'} (${blocked.description}): a person decides whether and how to make it`,
      },
    );
  }

  private async execute(run: Run): Promise<ExecutionOutcome> {
    const diagnosing = run.plan.stage === 'diagnosis';
    const work = run.plan.steps.filter((s) => s.phase !== 'verify' && s.phase !== 'rollback');
    for (const [i, step] of work.entries()) {
      // A step policy would not run unattended runs only on its own approval, consumed exactly once.
      // A step that ran before an interruption consumed its approval then.
      const ranBefore = run.replay?.has(step.index) || run.retake?.index === step.index;
      const approval = step.decision === 'run' || ranBefore ? undefined : run.approvals?.get(step.index);
      if (step.decision !== 'run' && !ranBefore && !(approval && (await this.deps.store.consumeApproval(approval)))) {
        return this.record.finish(
          run,
          'escalated',
          `step ${step.index} (${step.capability}) has no unused approval; it did not run`,
          undefined,
          {},
          {
            leftToDo: `a change (${step.description}) had no approval left to use, so it did not run: approve it again through a new run, or make it by hand`,
          },
        );
      }
      const record = await this.invoke(run, step);
      if (record.error && (step.phase === 'fix' || step.phase === 'backup')) {
        const reason = `${step.phase} step ${step.index} (${step.capability}) failed: ${record.error.code} ${record.error.message}`;
        // A fix that failed part way may have changed things: put back what this execution saved.
        if (step.phase === 'fix' && backupsTaken(run.steps).length > 0) {
          await this.record.step(run, record);
          return this.rollBack(run, reason);
        }
        return this.record.finish(
          run,
          'escalated',
          reason,
          record,
          {},
          { findings: findingsAfter(run.plan, run.steps, new Set()), outcome: 'fix_failed' },
        );
      }
      // A failed check is a result of diagnosis (its rules stay unconfirmed), not a reason to stop. The last check's
      // result goes with the write that ends diagnosis (a read lost to a crash in between is simply read again).
      if (diagnosing && i === work.length - 1) {
        return this.afterDiagnosis(run, run.replay?.has(step.index) ? undefined : record);
      } else if (i < work.length - 1 || diagnosing) {
        await this.record.step(run, record);
      } else if (run.plan.escalation) {
        return this.record.finish(run, 'escalated', run.plan.escalation, record);
      } else {
        run.ticket = await this.record.step(run, record, {
          to: 'verifying',
          details: { verifying: { executionId: run.executionId } },
        });
      }
    }
    if (diagnosing) return this.afterDiagnosis(run);
    if (work.length === 0 && run.ticket.status === 'executing')
      run.ticket = await this.record.write(run.ticket, { to: 'verifying' }, { audit: [] });
    return this.verify(run);
  }

  private async verify(run: Run): Promise<ExecutionOutcome> {
    const checks = run.plan.steps.filter((s) => s.phase === 'verify');
    const result = await this.runChecks(run, checks);
    const { failures, passes, last } = result;
    if (checks.length === 0) failures.push('the plan has no verification');
    const remedy = run.plan.stage === 'remedy';
    if (failures.length > 0) {
      const reason = `verification failed: ${failures.join('; ')}`;
      const findings = findingsAfter(run.plan, run.steps, result.remains);
      // The fix did what it addresses, and something else the ticket reported is still there: keep the fix, say so.
      const addressedGone =
        remedy && !result.ownFailed && addressedFindings(run.plan, run.steps).every((id) => !result.remains.has(id));
      if (remedy && (addressedGone || run.plan.onVerifyFailure === 'keep')) {
        return this.record.finish(
          run,
          'escalated',
          `partly fixed: ${describeFindings(findings)}; ${reason}`,
          last,
          {},
          { findings, outcome: 'partial_fix' },
        );
      }
      if (backupsTaken(run.steps).length === 0) {
        if (last) await this.record.step(run, last);
        return (
          (await this.nextRemedy(run, reason)) ??
          this.record.finish(run, 'escalated', reason, undefined, {}, { findings, outcome: 'fix_failed' })
        );
      }
      if (last) await this.record.step(run, last);
      return this.rollBack(run, reason);
    }
    if (!remedy) {
      // A plan stored before diagnosis came first (a ticket resumed across an upgrade): passing checks with no
      // confirmed finding is not a fix, so a human confirms it instead of the ticket closing itself.
      const note = `checks passed but no fault was confirmed by a diagnosis (runbook ${run.plan.runbookId}): ${passes.join('; ')}; a human should confirm`;
      return this.record.finish(run, 'escalated', note, last, {}, { outcome: 'handed_over' });
    }
    const findings = findingsAfter(run.plan, run.steps, result.remains, true);
    const assisted = run.plan.steps.some((s) => s.decision === 'needs_approval');
    const note = `Fixed and verified (runbook ${run.plan.runbookId}): ${describeFindings(findings)}. Checks: ${passes.join('; ')}`;
    return this.record.finish(
      run,
      'resolved',
      note,
      last,
      {},
      { findings, outcome: assisted ? 'assisted_fix' : 'verified_fix' },
    );
  }

  /**
   * Runs checks in order, writing each result but the last, which the caller writes with the move it leads to.
   * A check's own conditions are judged (`ownFailed`), and so are the findings it re-checks (`remains`).
   */
  private async runChecks(
    run: Run,
    checks: readonly PlannedStep[],
  ): Promise<{ failures: string[]; passes: string[]; last?: StepRecord; remains: Set<string>; ownFailed: boolean }> {
    const failures: string[] = [];
    const passes: string[] = [];
    const remains = new Set<string>();
    let ownFailed = false;
    let last: StepRecord | undefined;
    for (const [i, step] of checks.entries()) {
      const record = await this.invoke(run, step);
      if (i < checks.length - 1) await this.record.step(run, record);
      else last = record;
      if (step.expect?.length || !step.rechecks?.length) {
        // Condition values may name earlier outputs (`{{steps.usage.bytes}}`): read them as they are now.
        const expect = step.expect
          ? resolveStepParams({ expect: step.expect }, stepOutputs(run.plan.steps, run.steps, run.plan.bound))
          : undefined;
        const verdict =
          expect?.ok === false
            ? { passed: false, text: `${step.description}: ${expect.reason}` }
            : judgeCheck(expect?.ok ? { ...step, expect: expect.value.expect } : step, record);
        (verdict.passed ? passes : failures).push(verdict.text);
        ownFailed ||= !verdict.passed;
      }
      for (const recheck of step.rechecks ?? []) {
        const verdict = judgeRecheck(this.deps.runbooks(), recheck, record);
        (verdict.gone ? passes : failures).push(verdict.text);
        if (!verdict.gone) remains.add(recheck.findingId);
      }
    }
    return { failures, passes, last, remains, ownFailed };
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
      await this.record.step(run, record);
      restoredAll &&= !record.error;
      rollback.push(
        record.error
          ? `backup ${String(step.params.backup_id)} not restored: ${record.error.code} ${record.error.message}`
          : `backup ${String(step.params.backup_id)} restored`,
      );
    }
    // The runbook's own rollback steps (undo what a backup does not cover), when policy lets them run.
    for (const step of run.plan.steps.filter((s) => s.phase === 'rollback')) {
      if (step.decision !== 'run') {
        restoredAll = false;
        rollback.push(`step ${step.index} (${step.capability}) not run: ${step.decisionReason}`);
        continue;
      }
      const record = await this.invoke(run, step);
      await this.record.step(run, record);
      restoredAll &&= !record.error;
      rollback.push(
        record.error
          ? `${step.description}: ${record.error.code} ${record.error.message}`
          : `${step.description}: done`,
      );
    }
    const rechecks = recheckSteps(
      run.plan.steps.filter((s) => s.phase === 'verify'),
      run.plan.steps.length + restores.length,
    );
    const again = await this.runChecks(run, rechecks);
    const passed = restoredAll && rechecks.length > 0 && again.failures.length === 0;
    this.deps.onRollback?.({
      outcome: restoredAll ? 'restored' : 'restore_failed',
      reverification: passed ? 'passed' : 'failed',
    });
    const results = [...again.failures, ...again.passes];
    const summary = `${failure}; rolled back: ${rollback.join('; ')}; re-verification ${passed ? 'passed' : 'failed'}: ${results.join('; ') || 'nothing to check'}`;
    const attached = { verification: failure, rollback, reverification: { passed, results } };
    const findings = run.plan.findings?.map((f) => (isFault(f) ? { ...f, state: 'remains' as const } : f));
    if (restoredAll && run.plan.alternatives?.length) {
      if (again.last) await this.record.step(run, again.last);
      return (
        (await this.nextRemedy(run, summary)) ??
        this.record.finish(run, 'escalated', summary, undefined, attached, {
          ...(findings ? { findings } : {}),
          outcome: 'fix_failed',
        })
      );
    }
    return this.record.finish(run, 'escalated', summary, again.last, attached, {
      ...(findings ? { findings } : {}),
      outcome: 'fix_failed',
    });
  }

  /**
   * The remedy did not hold and nothing of it stays: the next runbook whose fix addresses the confirmed faults,
   * planned from the same diagnosis, in a new execution. Undefined when there is none.
   */
  private async nextRemedy(run: Run, failure: string): Promise<ExecutionOutcome | undefined> {
    const remaining = run.plan.alternatives ?? [];
    if (remaining.length === 0) return undefined;
    const detail = await this.deps.store.getDetail(run.ticket.id);
    const diagnosed = detail?.executions.filter((e) => e.plan.stage === 'diagnosis').at(-1);
    if (!detail || !diagnosed) return undefined;
    const catalogue = this.deps.runbooks();
    const analysis = run.ticket.analysis!;
    const diagnosis = readDiagnosis(
      diagnosed.plan,
      detail.steps.filter((s) => s.executionId === diagnosed.id),
      catalogue,
      targetOf(analysis),
    );
    const plan = remedyPlan({
      analysis,
      text: run.ticket.description,
      runbooks: remaining.map((id) => catalogue.find((r) => r.id === id)).filter((r): r is Runbook => !!r),
      diagnosed: catalogue,
      lookup: this.lookup,
      facts: this.facts(analysis),
      options: this.policyOptions(),
      diagnosis,
      diagnosisPlan: diagnosed.plan,
    });
    if (!plan) return undefined;
    return this.startRemedy(
      run,
      plan,
      diagnosis.findings,
      `runbook ${run.plan.runbookId} did not hold: ${failure}; next: runbook ${plan.runbookId}`,
    );
  }

  private async invoke(run: Run, step: PlannedStep): Promise<StepRecord> {
    // Finished before an interruption: its stored result stands in, and nothing runs.
    const stored = run.replay?.get(step.index);
    if (stored) {
      run.steps.push(stored);
      return stored;
    }
    const startedAt = new Date();
    const outputs = stepOutputs(run.plan.steps, run.steps, run.plan.bound);
    const skipped = skipReason(step, outputs);
    if (skipped) return this.skip(run, step, skipped, startedAt);
    // `{{steps.<id>.…}}` parameters take the outputs of earlier steps now; the record keeps what really ran.
    const resolved = resolveStepParams(step.params, outputs);
    const params = resolved.ok ? resolved.value : step.params;
    const { result, attempts, durationMs } = resolved.ok
      ? await this.runStep(run, step, params)
      : {
          result: {
            ok: false as const,
            error: toErrorInfo(new TwisterError('TEMPLATE_UNRESOLVED', resolved.reason), 'TEMPLATE_UNRESOLVED'),
            durationMs: 0,
          },
          attempts: 1,
          durationMs: 0,
        };
    const record: StepRecord = {
      executionId: run.executionId,
      ticketId: run.ticket.id,
      index: step.index,
      phase: step.phase,
      agent: step.agent,
      capability: step.capability,
      params,
      risk: step.risk,
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
      executionId: run.executionId,
      ticketId: run.ticket.id,
      index: step.index,
      phase: step.phase,
      agent: step.agent,
      capability: step.capability,
      params: step.params,
      risk: step.risk,
      status: 'skipped',
      output: { skipped: reason },
      error: null,
      startedAt: at.toISOString(),
      finishedAt: at.toISOString(),
      durationMs: 0,
      attempts: 0,
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
    return this.runner.run(
      { ticketId, executionId: run.executionId, status: run.ticket.status },
      step,
      params,
      writes,
      retake,
    );
  }

  /** The plain-words handoff of a ticket that ends with a person (see handoff/). */
  private handoff(
    ticket: Ticket,
    facts: { run?: Run; outcome: TicketOutcome; findings?: readonly Finding[] | undefined; leftToDo?: string },
  ) {
    const { run } = facts;
    const notDiagnosed =
      ticket.analysis && run?.plan.title === 'Handed to a person' ? notForDiagnosis(ticket.analysis) : undefined;
    const ran = (run?.steps ?? [])
      .filter((s) => s.status === 'succeeded')
      .map((s) => run?.plan.steps[s.index]?.description)
      .filter((d): d is string => !!d);
    return handoffPatch(
      ticket,
      {
        outcome: facts.outcome,
        ...(facts.findings ? { findings: facts.findings } : {}),
        ...(facts.leftToDo ? { leftToDo: facts.leftToDo } : {}),
        ...(ran.length > 0 ? { checked: [...new Set(ran)].join('; ') } : {}),
        ...(notDiagnosed ? { notDiagnosed } : {}),
      },
      this.deps.routing,
    );
  }

  /** What the approver reads: the same plain-words handoff, with the changes waiting for a decision as what is left. */
  private approvalHandoff(ticket: Ticket, plan: Plan, findings: readonly Finding[]) {
    const waiting = plan.steps
      .filter((s) => s.decision === 'needs_approval')
      .map((s) => `${s.description} (${s.decisionReason})`);
    return handoffPatch(
      ticket,
      {
        outcome: 'handed_over',
        findings,
        leftToDo: `approve or refuse ${waiting.length === 1 ? 'the change' : 'the changes'} TwisterLab would make: ${waiting.join('; ')}; without a decision in time the ticket goes to a person`,
      },
      this.deps.routing,
    );
  }

  private async fail(ticketId: string, error: unknown): Promise<Ticket> {
    const info = toErrorInfo(error, 'INTERNAL');
    this.deps.logger.error({ err: error, ticketId }, 'ticket processing failed');
    const current = await this.deps.store.get(ticketId);
    if (!current) throw error;
    if (SETTLED_STATUSES.has(current.status) || info.code === 'INVALID_TRANSITION') return current;
    const reason = `internal error: ${info.code}`;
    return this.record.write(
      current,
      { to: 'failed', details: { failed: { reason } } },
      { patch: { escalationReason: reason }, audit: [] },
    );
  }
}

/** What the first write of an analysed ticket stores: the analysis and the columns lists filter on. */
function triagePatch(analysis: Analysis): TicketChange['patch'] {
  return {
    analysis,
    category: analysis.category,
    priority: analysis.priority,
    ...(analysis.intent ? { intent: analysis.intent } : {}),
    ...(analysis.team ? { team: analysis.team } : {}),
    ...(analysis.assignee ? { assignee: analysis.assignee } : {}),
  };
}

function settled(ticket: Ticket): ExecutionOutcome {
  return { ticket, plan: null, steps: [], success: ticket.status === 'resolved', successRate: 0 };
}
