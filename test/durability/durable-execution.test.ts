// Durable execution on real PGlite and PostgreSQL 15: a process that dies mid-plan (its store cut off at a chosen
// point, leaving exactly what a kill would leave) is resumed by a fresh orchestrator without re-running finished
// steps; a step cut off mid-way runs again with the same idempotency key only when it is idempotent; two
// orchestrators never run the same ticket's steps; approvals stay consumed once across an interruption.
// A ticket runs two executions: the diagnosis (the check, which confirms the world's fault) and the remedy (the
// fixes, then the check again); step indices count from 0 in each, so a crash point names its execution's phase.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isTwisterError } from '../../src/core/errors.ts';
import type { Orchestrator } from '../../src/core/orchestrator.ts';
import type { TicketChange } from '../../src/core/ticket-repository.ts';
import { pgliteBackend, postgresBackend, type TestStore } from '../store/backends.ts';
import {
  countOf,
  createOrchestrator,
  durableRunbook,
  FINDING,
  killableStore,
  newTicket,
  newWorld,
  step,
  type World,
} from './durable-fixtures.ts';

/** What the queue does: try again while the ticket is busy (another holder's lease has not run out yet). */
/** A crash point: the write that stores the result of step `index` of the diagnosis, or of the remedy. */
const stored = (stage: 'diagnosis' | 'remedy', index: number) => (change: TicketChange) =>
  change.steps?.some((s) => (s.phase === 'diagnose') === (stage === 'diagnosis') && s.index === index) ?? false;

async function processWhenFree(orchestrator: Orchestrator, ticketId: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await orchestrator.process(ticketId);
    } catch (error) {
      if (!isTwisterError(error) || error.code !== 'TICKET_BUSY' || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe.each([pgliteBackend(), postgresBackend()])('durable execution on $name', (backend) => {
  let t: TestStore;
  let world: World;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    t = await backend.fresh();
    world = newWorld();
  });
  afterEach(() => t.close());

  /** One execution's step rows, running ones included (what a kill leaves in the table). */
  const stepRows = (ticketId: string, stage: 'diagnosis' | 'remedy') =>
    t.query(
      `select s.idx, s.status, s.attempts from steps s join executions e on e.id = s.execution_id
     where s.ticket_id = '${ticketId}' and e.plan->>'stage' = '${stage}' order by s.idx`,
    );
  const audit = async (ticketId: string, action: string) =>
    (await t.store.getDetail(ticketId))!.audit.filter((a) => a.action === action);
  /** The ticket's execution of one stage and its stored steps. */
  const execution = async (ticketId: string, stage: 'diagnosis' | 'remedy') => {
    const detail = (await t.store.getDetail(ticketId))!;
    const found = detail.executions.filter((e) => e.plan.stage === stage);
    expect(found).toHaveLength(1);
    return { ...found[0]!, steps: detail.steps.filter((s) => s.executionId === found[0]!.id) };
  };
  const trail = async (ticketId: string) => (await audit(ticketId, 'ticket.status_changed')).map((a) => a.toStatus);

  it('resumes after a crash between steps from the first unfinished step, feeding stored outputs to later templates', async () => {
    const runbook = durableRunbook([
      step('testdur.touch', 'a'),
      step('testdur.touch', 'b'),
      step('testdur.touch', 'c', { params: { name: 'c', note: '{{steps.b.count}}' } }),
    ]);
    const { ticket } = await t.store.create(newTicket());
    const dying = killableStore(t.store);
    dying.killAfter(stored('remedy', 1)); // dies right after b's result is stored
    await expect(createOrchestrator(dying.store, world, runbook).process(ticket.id)).rejects.toThrow(/killed/);
    expect(world.effects.map((e) => e.name)).toEqual(['check', 'a', 'b']);
    expect((await t.store.get(ticket.id))?.status).toBe('executing');

    const outcome = await processWhenFree(createOrchestrator(t.store, world, runbook), ticket.id);
    expect(outcome.ticket.status).toBe('resolved');
    expect(outcome.ticket.findings).toEqual([expect.objectContaining({ id: FINDING, state: 'fixed' })]);
    expect(world.effects.map((e) => e.name)).toEqual(['check', 'a', 'b', 'c', 'check']);
    expect((await execution(ticket.id, 'diagnosis')).steps.map((s) => [s.index, s.status])).toEqual([[0, 'succeeded']]);
    const remedy = await execution(ticket.id, 'remedy');
    expect(remedy.steps.map((s) => [s.index, s.phase, s.status])).toEqual([
      [0, 'fix', 'succeeded'],
      [1, 'fix', 'succeeded'],
      [2, 'fix', 'succeeded'],
      [3, 'verify', 'succeeded'],
    ]);
    expect(remedy.steps[2]?.params).toEqual({ name: 'c', note: 1 });
    expect(await audit(ticket.id, 'execution.resumed')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ executionId: remedy.id, finished: [0, 1] }) }),
    ]);
  });

  it('escalates a step that was running when the process died, naming it, and does not run it or anything after it', async () => {
    const runbook = durableRunbook([
      step('testdur.touch', 'a'),
      step('testdur.touch', 'b'),
      step('testdur.touch', 'c'),
    ]);
    const { ticket } = await t.store.create(newTicket());
    const dying = killableStore(t.store);
    world.hooks.set('b', () => dying.kill()); // dies while b runs: b had its effect, its result is never stored
    await expect(createOrchestrator(dying.store, world, runbook).process(ticket.id)).rejects.toThrow(/killed/);
    expect(await stepRows(ticket.id, 'diagnosis')).toEqual([{ idx: 0, status: 'succeeded', attempts: 1 }]);
    expect(await stepRows(ticket.id, 'remedy')).toEqual([
      { idx: 0, status: 'succeeded', attempts: 1 },
      { idx: 1, status: 'running', attempts: 1 },
    ]);

    world.hooks.clear();
    const outcome = await processWhenFree(createOrchestrator(t.store, world, runbook), ticket.id);
    expect(outcome.ticket.status).toBe('escalated');
    expect(outcome.ticket.escalationReason).toMatch(
      /^interrupted while executing, mid-step: step 1 \(testdur\.touch\) may have had effects, so it was not run again/,
    );
    expect(outcome.ticket.handoffSummary).toMatch(
      /^Left to do: the work stopped in the middle of a change \(.+\) that is not safe to repeat: check whether it took effect/m,
    );
    expect(outcome.ticket.handoffSummary).toMatch(new RegExp(`\nTeam: ${outcome.ticket.team}$`));
    expect(outcome.ticket.team).toBeTruthy();
    expect(world.effects.map((e) => e.name)).toEqual(['check', 'a', 'b']);
    const remedy = await execution(ticket.id, 'remedy');
    expect(remedy.steps.at(-1)).toMatchObject({
      index: 1,
      phase: 'fix',
      status: 'failed',
      error: { code: 'STEP_INTERRUPTED' },
    });
    expect(remedy).toMatchObject({ success: false });
    expect((await t.store.getProgress(ticket.id))?.running).toEqual([]);
  });

  it('runs an idempotent step that was cut off again with the same idempotency key, then finishes the plan', async () => {
    const runbook = durableRunbook([
      step('testdur.touch', 'a'),
      step('testdur.touch_idempotent', 'b'),
      step('testdur.touch', 'c'),
    ]);
    const { ticket } = await t.store.create(newTicket());
    const dying = killableStore(t.store);
    world.hooks.set('b', () => dying.kill());
    await expect(createOrchestrator(dying.store, world, runbook).process(ticket.id)).rejects.toThrow(/killed/);

    world.hooks.clear();
    const outcome = await processWhenFree(createOrchestrator(t.store, world, runbook), ticket.id);
    expect(outcome.ticket.status).toBe('resolved');
    expect(world.effects.map((e) => e.name)).toEqual(['check', 'a', 'b', 'b', 'c', 'check']);
    const runs = world.effects.filter((e) => e.name === 'b');
    const { id: remedyId } = await execution(ticket.id, 'remedy');
    expect(runs.map((e) => e.key)).toEqual([`${remedyId}:1`, `${remedyId}:1`]);
    expect(await stepRows(ticket.id, 'remedy')).toContainEqual({ idx: 1, status: 'succeeded', attempts: 2 });
    expect(await audit(ticket.id, 'step.rerun')).toHaveLength(1);
  });

  it('lets only one of two orchestrators work on a ticket: the other is told it is busy and runs nothing', async () => {
    const runbook = durableRunbook([step('testdur.touch', 'a'), step('testdur.touch', 'b')]);
    const { ticket } = await t.store.create(newTicket());
    let release!: () => void;
    const inside = new Promise<void>((entered) => {
      world.hooks.set(
        'a',
        () =>
          new Promise<void>((resolve) => {
            release = resolve;
            entered();
          }),
      );
    });
    const first = createOrchestrator(t.store, world, runbook).process(ticket.id);
    await inside; // the first holds the lease and is in the middle of step a
    const second = createOrchestrator(t.store, world, runbook);
    await expect(second.process(ticket.id)).rejects.toMatchObject({ code: 'TICKET_BUSY', retryable: true });
    release();
    expect((await first).ticket.status).toBe('resolved');
    expect(countOf(world, 'a')).toBe(1);
    expect(countOf(world, 'b')).toBe(1);
    expect((await second.process(ticket.id)).ticket.status).toBe('resolved');
    expect(world.effects.map((e) => e.name)).toEqual(['check', 'a', 'b', 'check']);
  });

  it('lets exactly one of two orchestrators racing to resume an interrupted ticket run the cut-off step again', async () => {
    const runbook = durableRunbook([step('testdur.touch_idempotent', 'a'), step('testdur.touch', 'b')]);
    const { ticket } = await t.store.create(newTicket());
    const dying = killableStore(t.store);
    world.hooks.set('a', () => dying.kill());
    await expect(createOrchestrator(dying.store, world, runbook).process(ticket.id)).rejects.toThrow(/killed/);
    world.hooks.clear();
    await new Promise((r) => setTimeout(r, 450)); // the dead holder's lease runs out

    // The racers hold long leases, and whichever re-enters step a stays there until the other has settled, so the
    // race is decided by the lease and not by how fast a loaded machine runs one racer to the end before the other
    // starts. Were both let in, the second entry releases the first and the counts below fail.
    let entries = 0;
    let oneSettled!: () => void;
    let bothInside!: () => void;
    const settled = new Promise<void>((resolve) => {
      oneSettled = resolve;
    });
    const twice = new Promise<void>((resolve) => {
      bothInside = resolve;
    });
    world.hooks.set('a', async () => {
      entries += 1;
      if (entries >= 2) bothInside();
      await Promise.race([settled, twice]);
    });
    const racers = [0, 1].map(() => createOrchestrator(t.store, world, runbook, { leaseMs: 60_000 }));
    const runs = racers.map((o) => o.process(ticket.id));
    for (const run of runs) run.then(oneSettled, oneSettled);
    const results = await Promise.allSettled(runs);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as { code?: string }).code)).toEqual(['TICKET_BUSY']);
    expect((await t.store.get(ticket.id))?.status).toBe('resolved');
    expect(countOf(world, 'a')).toBe(2); // the first run, and one re-run
    expect(countOf(world, 'b')).toBe(1);
    expect(countOf(world, 'check')).toBe(2); // diagnosis, and verification
  });

  it('retries a retryable error with backoff, each attempt audited, and does not retry a non-retryable one', async () => {
    const runbook = durableRunbook([step('testdur.touch_idempotent', 'a'), step('testdur.touch_idempotent', 'b')]);
    world.failures.set('check', ['SERVICE_CHECK_FAILED', 'CAPABILITY_TIMEOUT']);
    world.failures.set('b', ['COMMAND_NOT_ALLOWED']);
    const { ticket } = await t.store.create(newTicket());
    const outcome = await createOrchestrator(t.store, world, runbook).process(ticket.id);
    expect(countOf(world, 'check')).toBe(3);
    expect(countOf(world, 'b')).toBe(1);
    expect(outcome.ticket.status).toBe('escalated');
    expect(outcome.ticket.escalationReason).toMatch(
      /fix step 1 \(testdur\.touch_idempotent\) failed: COMMAND_NOT_ALLOWED/,
    );
    const { id: diagnosisId } = await execution(ticket.id, 'diagnosis');
    const retries = await audit(ticket.id, 'step.retrying');
    expect(retries.map((a) => [a.details.executionId, a.details.index, a.details.attempt, a.details.error])).toEqual([
      [diagnosisId, 0, 1, 'SERVICE_CHECK_FAILED'],
      [diagnosisId, 0, 2, 'CAPABILITY_TIMEOUT'],
    ]);
    expect(retries.every((a) => typeof a.details.delayMs === 'number' && a.details.delayMs >= 2)).toBe(true);
    expect(await stepRows(ticket.id, 'diagnosis')).toEqual([{ idx: 0, status: 'succeeded', attempts: 3 }]);
    expect(await stepRows(ticket.id, 'remedy')).toEqual([
      { idx: 0, status: 'succeeded', attempts: 1 },
      { idx: 1, status: 'failed', attempts: 1 },
    ]);
  });

  it('retries a change only when its capability is idempotent, and gives up after the configured retries', async () => {
    const runbook = durableRunbook([step('testdur.touch', 'once'), step('testdur.touch_idempotent', 'again')]);
    world.failures.set('once', ['DEVICE_UNREACHABLE']);
    const first = await createOrchestrator(t.store, world, runbook).process(
      (await t.store.create(newTicket())).ticket.id,
    );
    expect(first.ticket.escalationReason).toMatch(/step 0 \(testdur\.touch\) failed: DEVICE_UNREACHABLE/);
    expect(countOf(world, 'once')).toBe(1);

    world.failures.set('again', [
      'DEVICE_UNREACHABLE',
      'DEVICE_UNREACHABLE',
      'DEVICE_UNREACHABLE',
      'DEVICE_UNREACHABLE',
    ]);
    const second = await createOrchestrator(t.store, world, runbook, { retry: { retries: 2, baseMs: 1 } }).process(
      (await t.store.create(newTicket())).ticket.id,
    );
    expect(second.ticket.escalationReason).toMatch(/step 1 \(testdur\.touch_idempotent\) failed: DEVICE_UNREACHABLE/);
    expect(countOf(world, 'again')).toBe(3);
  });

  it('does not ask for an approval again, nor run the approved step again, when resuming after it', async () => {
    const runbook = durableRunbook([step('testdur.wipe', 'wipe'), step('testdur.touch', 'after')]);
    const { ticket } = await t.store.create(newTicket());
    const planned = await createOrchestrator(t.store, world, runbook).process(ticket.id);
    expect(planned.ticket.status).toBe('awaiting_approval');
    expect(world.effects.map((e) => e.name)).toEqual(['check']); // asked after diagnosis, before any change
    const [approval] = await t.store.listApprovals({ ticketId: ticket.id, limit: 10 });
    const remedy = await execution(ticket.id, 'remedy');
    expect(approval).toMatchObject({ executionId: remedy.id, stepIndex: 0 });
    expect(remedy.plan.findings).toEqual([expect.objectContaining({ id: FINDING, state: 'confirmed' })]);
    expect(await t.store.decideApproval(approval!.id, { to: 'approved', by: 'carol' })).toMatchObject({
      status: 'approved',
    });

    const dying = killableStore(t.store);
    dying.killAfter(stored('remedy', 0)); // dies right after the approved wipe's result is stored
    await expect(createOrchestrator(dying.store, world, runbook).process(ticket.id)).rejects.toThrow(/killed/);
    expect(countOf(world, 'wipe')).toBe(1);
    expect((await t.store.getApproval(approval!.id))?.status).toBe('consumed');

    const outcome = await processWhenFree(createOrchestrator(t.store, world, runbook), ticket.id);
    expect(outcome.ticket.status).toBe('resolved');
    expect(countOf(world, 'wipe')).toBe(1);
    expect(countOf(world, 'after')).toBe(1);
  });

  it('resumes a diagnosis cut off after a stored check without running that check again, and goes on to the remedy', async () => {
    const runbook = durableRunbook(
      [step('testdur.touch', 'a'), step('testdur.touch', 'b')],
      [step('testdur.check', 'inspect')],
    );
    const { ticket } = await t.store.create(newTicket());
    const dying = killableStore(t.store);
    // Dies right after the first check's result is stored. A read is not claimed before it runs, so the second
    // check still runs in the dying process; its result is never stored.
    dying.killAfter(stored('diagnosis', 0));
    await expect(createOrchestrator(dying.store, world, runbook).process(ticket.id)).rejects.toThrow(/killed/);
    expect(world.effects.map((e) => e.name)).toEqual(['check', 'inspect']);
    expect((await t.store.get(ticket.id))?.status).toBe('diagnosing');
    expect(await stepRows(ticket.id, 'diagnosis')).toEqual([{ idx: 0, status: 'succeeded', attempts: 1 }]);
    expect(await stepRows(ticket.id, 'remedy')).toEqual([]);

    const outcome = await processWhenFree(createOrchestrator(t.store, world, runbook), ticket.id);
    expect(outcome.ticket.status).toBe('resolved');
    // The stored check stands in for itself; the unstored one reads again; then the remedy, and the check again.
    expect(world.effects.map((e) => e.name)).toEqual(['check', 'inspect', 'inspect', 'a', 'b', 'check']);
    const diagnosis = await execution(ticket.id, 'diagnosis');
    expect(diagnosis.steps.map((s) => [s.index, s.status, s.attempts])).toEqual([
      [0, 'succeeded', 1],
      [1, 'succeeded', 1],
    ]);
    expect(await audit(ticket.id, 'execution.resumed')).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ executionId: diagnosis.id, status: 'diagnosing', finished: [0] }),
      }),
    ]);
    expect(outcome.ticket.findings).toEqual([expect.objectContaining({ id: FINDING, state: 'fixed' })]);
    expect(await trail(ticket.id)).toEqual(['triaged', 'diagnosing', 'executing', 'verifying', 'resolved']);
  });

  it('reads again a check cut off mid-way during diagnosis, with the same idempotency key, and goes on to the remedy', async () => {
    const runbook = durableRunbook([step('testdur.touch', 'a')]);
    const { ticket } = await t.store.create(newTicket());
    const dying = killableStore(t.store);
    world.hooks.set('check', () => dying.kill()); // dies while the check runs: its result is never stored
    await expect(createOrchestrator(dying.store, world, runbook).process(ticket.id)).rejects.toThrow(/killed/);
    expect((await t.store.get(ticket.id))?.status).toBe('diagnosing');
    // A read is not claimed before it runs (it has no effect to protect): nothing of it is stored.
    expect(await stepRows(ticket.id, 'diagnosis')).toEqual([]);

    world.hooks.clear();
    const outcome = await processWhenFree(createOrchestrator(t.store, world, runbook), ticket.id);
    expect(outcome.ticket.status).toBe('resolved');
    expect(world.effects.map((e) => e.name)).toEqual(['check', 'check', 'a', 'check']);
    const { id: diagnosisId } = await execution(ticket.id, 'diagnosis');
    expect(world.effects.slice(0, 2).map((e) => e.key)).toEqual([`${diagnosisId}:0`, `${diagnosisId}:0`]);
    expect(await stepRows(ticket.id, 'diagnosis')).toEqual([{ idx: 0, status: 'succeeded', attempts: 1 }]);
    expect(await audit(ticket.id, 'execution.resumed')).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ executionId: diagnosisId, status: 'diagnosing', finished: [] }),
      }),
    ]);
    expect(countOf(world, 'a')).toBe(1);
    expect(await trail(ticket.id)).toEqual(['triaged', 'diagnosing', 'executing', 'verifying', 'resolved']);
  });
});
