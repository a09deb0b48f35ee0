// The store's writes against real PGlite and PostgreSQL 15: creation with idempotency keys, compare-and-swap
// transitions applied as one transaction, idempotent step writes, and the append-only audit trail.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TwisterError } from '../../src/core/errors.ts';
import { pgliteBackend, postgresBackend } from './backends.ts';
import type { TestStore } from './backends.ts';
import { analysis, newTicket, plan, step } from './fixtures.ts';

describe.each([pgliteBackend(), postgresBackend()])('store writes on $name', (backend) => {
  let t: TestStore;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    t = await backend.fresh();
  });
  afterEach(() => t.close());

  it('creates a ticket in state new with its ticket.created audit row, and reads it back', async () => {
    const { ticket, created, requestHash } = await t.store.create(newTicket({ requestHash: 'h1' }));
    expect(created).toBe(true);
    expect(requestHash).toBe('h1');
    expect(ticket).toMatchObject({
      status: 'new',
      requester: 'alice',
      source: 'api',
      dryRun: false,
      context: { deviceId: 'db-01' },
    });
    expect(ticket.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await t.store.get(ticket.id)).toEqual(ticket);
    const detail = await t.store.getDetail(ticket.id);
    expect(detail?.ticket).toEqual(ticket);
    expect(detail?.audit).toEqual([
      expect.objectContaining({
        ticketId: ticket.id,
        actor: 'alice',
        action: 'ticket.created',
        fromStatus: null,
        toStatus: 'new',
        details: {},
      }),
    ]);
    expect(typeof detail?.audit[0]?.id).toBe('number');
  });

  it('returns the existing ticket and its stored request hash when an idempotency key is reused', async () => {
    const first = await t.store.create(newTicket({ idempotencyKey: 'key-1', requestHash: 'h1' }));
    const again = await t.store.create(newTicket({ idempotencyKey: 'key-1', requestHash: 'h2', description: 'other' }));
    expect(again).toEqual({ ticket: first.ticket, created: false, requestHash: 'h1', heldBy: 'idempotency_key' });
    const rows = await t.query(`select count(*)::int as n from audit_events`);
    expect(rows[0]?.n).toBe(1);
    expect((await t.store.list({ limit: 10, offset: 0 })).total).toBe(1);
  });

  it('moves the status with compare-and-swap and stores the analysis with its category and priority', async () => {
    const { ticket } = await t.store.create(newTicket());
    await new Promise((resolve) => setTimeout(resolve, 5)); // timestamps are compared to the millisecond
    const after = await t.store.apply(ticket.id, {
      transition: { from: 'new', to: 'triaged' },
      patch: { analysis: analysis() },
      audit: [
        {
          ticketId: ticket.id,
          actor: 'orchestrator',
          action: 'ticket.status_changed',
          fromStatus: 'new',
          toStatus: 'triaged',
          details: { why: 'analysed' },
        },
      ],
    });
    expect(after).toMatchObject({ status: 'triaged', category: 'database', priority: 'high', analysis: analysis() });
    expect(after.updatedAt > ticket.updatedAt).toBe(true);
    const detail = await t.store.getDetail(ticket.id);
    expect(detail?.audit.map((a) => [a.action, a.fromStatus, a.toStatus, a.details])).toEqual([
      ['ticket.created', null, 'new', {}],
      ['ticket.status_changed', 'new', 'triaged', { why: 'analysed' }],
    ]);
  });

  it('refuses a stale transition with INVALID_TRANSITION naming the current status, and writes nothing of the change', async () => {
    const { ticket } = await t.store.create(newTicket());
    await t.store.apply(ticket.id, { transition: { from: 'new', to: 'triaged' }, audit: [] });
    const executionId = crypto.randomUUID();
    const stale = t.store.apply(ticket.id, {
      transition: { from: 'new', to: 'escalated' },
      patch: { escalationReason: 'should not stick' },
      newExecution: { id: executionId, plan, dryRun: false },
      steps: [step(executionId, ticket.id, 0)],
      audit: [
        {
          ticketId: ticket.id,
          actor: 'orchestrator',
          action: 'ticket.status_changed',
          fromStatus: 'new',
          toStatus: 'escalated',
        },
      ],
    });
    await expect(stale).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { current: 'triaged', from: 'new', to: 'escalated' },
    });
    const detail = await t.store.getDetail(ticket.id);
    expect(detail?.ticket).toMatchObject({ status: 'triaged', escalationReason: null });
    expect(detail?.executions).toEqual([]);
    expect(detail?.steps).toEqual([]);
    expect(detail?.audit).toHaveLength(1);
  });

  it('rolls back the status change when a later write of the same change fails', async () => {
    const { ticket } = await t.store.create(newTicket());
    const failing = t.store.apply(ticket.id, {
      transition: { from: 'new', to: 'triaged' },
      finishExecution: { id: crypto.randomUUID(), success: true, successRate: 1, summary: 'no such execution' },
      audit: [],
    });
    await expect(failing).rejects.toThrow(/does not exist/);
    expect((await t.store.get(ticket.id))?.status).toBe('new');
  });

  it('lets exactly one of two concurrent moves from the same status win', async () => {
    const { ticket } = await t.store.create(newTicket());
    const results = await Promise.allSettled([
      t.store.apply(ticket.id, { transition: { from: 'new', to: 'triaged' }, audit: [] }),
      t.store.apply(ticket.id, { transition: { from: 'new', to: 'escalated' }, audit: [] }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as TwisterError).code)).toEqual(['INVALID_TRANSITION']);
  });

  it('answers TICKET_NOT_FOUND for an unknown id, and refuses an impossible transition before writing', async () => {
    await expect(
      t.store.apply(crypto.randomUUID(), { transition: { from: 'new', to: 'triaged' }, audit: [] }),
    ).rejects.toMatchObject({ code: 'TICKET_NOT_FOUND' });
    await expect(
      t.store.apply(crypto.randomUUID(), { patch: { resolutionNote: 'x' }, audit: [] }),
    ).rejects.toMatchObject({ code: 'TICKET_NOT_FOUND' });
    const { ticket } = await t.store.create(newTicket());
    await expect(
      t.store.apply(ticket.id, { transition: { from: 'resolved', to: 'new' }, audit: [] }),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    expect((await t.store.get(ticket.id))?.status).toBe('new');
  });

  it('keeps the first write of a step when the same (execution, index) is written again', async () => {
    const { ticket } = await t.store.create(newTicket());
    const executionId = crypto.randomUUID();
    await t.store.apply(ticket.id, {
      newExecution: { id: executionId, plan, dryRun: true },
      steps: [step(executionId, ticket.id, 0), step(executionId, ticket.id, 1, { phase: 'verify' })],
      audit: [],
    });
    await t.store.apply(ticket.id, {
      steps: [
        step(executionId, ticket.id, 1, { status: 'failed', output: null }),
        step(executionId, ticket.id, 2, { output: undefined }),
      ],
      finishExecution: { id: executionId, success: true, successRate: 0.75, summary: 'all good' },
      audit: [],
    });
    const detail = await t.store.getDetail(ticket.id);
    expect(detail?.steps.map((s) => [s.index, s.phase, s.status, s.output])).toEqual([
      [0, 'diagnose', 'succeeded', { healthy: true }],
      [1, 'verify', 'succeeded', { healthy: true }],
      [2, 'diagnose', 'succeeded', null],
    ]);
    expect(detail?.steps[0]).toEqual(step(executionId, ticket.id, 0));
    expect(detail?.executions).toEqual([
      expect.objectContaining({
        id: executionId,
        ticketId: ticket.id,
        dryRun: true,
        plan,
        success: true,
        successRate: 0.75,
        summary: 'all good',
      }),
    ]);
    expect(detail?.executions[0]?.finishedAt).toMatch(/Z$/);
  });

  it('finishes an execution created by the same change, and patches the note, reason and context', async () => {
    const { ticket } = await t.store.create(newTicket());
    const executionId = crypto.randomUUID();
    const after = await t.store.apply(ticket.id, {
      transition: { from: 'new', to: 'escalated' },
      patch: {
        escalationReason: 'nothing safe to do',
        resolutionNote: 'handed over',
        context: { serviceName: 'nginx' },
      },
      newExecution: { id: executionId, plan, dryRun: false },
      finishExecution: { id: executionId, success: false, successRate: 0, summary: 'not run' },
      audit: [
        { ticketId: ticket.id, actor: 'orchestrator', action: 'execution.finished', details: { executionId } },
        {
          ticketId: ticket.id,
          actor: 'orchestrator',
          action: 'ticket.status_changed',
          fromStatus: 'new',
          toStatus: 'escalated',
        },
      ],
    });
    expect(after).toMatchObject({
      status: 'escalated',
      escalationReason: 'nothing safe to do',
      resolutionNote: 'handed over',
      context: { serviceName: 'nginx' },
      category: null,
      analysis: null,
    });
    const detail = await t.store.getDetail(ticket.id);
    expect(detail?.executions).toEqual([
      expect.objectContaining({ id: executionId, success: false, successRate: 0, summary: 'not run' }),
    ]);
    expect(detail?.executions[0]?.finishedAt).not.toBeNull();
    expect(detail?.audit.map((a) => a.action)).toEqual([
      'ticket.created',
      'execution.finished',
      'ticket.status_changed',
    ]);
  });

  it('refuses to update, delete or truncate audit rows', async () => {
    const { ticket } = await t.store.create(newTicket());
    await expect(t.query(`update audit_events set actor = 'mallory'`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(t.query(`delete from audit_events`)).rejects.toThrow(/append-only: DELETE/);
    await expect(t.query(`truncate audit_events`)).rejects.toThrow(/append-only: TRUNCATE/);
    const detail = await t.store.getDetail(ticket.id);
    expect(detail?.audit.map((a) => a.actor)).toEqual(['alice']);
  });
});
