// Durable steps in the store, on real PGlite and PostgreSQL 15: a step is written as `running` under its
// idempotency key before it runs and claimed only once, its result replaces that row, and the ticket lease keeps a
// second process from writing while the first holds it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stepKey, type StepClaim } from '../../src/core/ticket-repository.ts';
import { pgliteBackend, postgresBackend } from './backends.ts';
import type { TestStore } from './backends.ts';
import { newTicket, plan, step } from './fixtures.ts';

const LEASE = 60_000;

describe.each([pgliteBackend(), postgresBackend()])('durable steps on $name', (backend) => {
  let t: TestStore;
  let ticketId: string;
  let executionId: string;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    t = await backend.fresh();
    ticketId = (await t.store.create(newTicket())).ticket.id;
    executionId = crypto.randomUUID();
    await t.store.apply(ticketId, {
      transition: { from: 'new', to: 'executing', via: ['triaged', 'planned'] },
      newExecution: { id: executionId, plan, dryRun: false },
      lease: { owner: 'worker-a', ms: LEASE },
      audit: [],
    });
  });
  afterEach(() => t.close());

  const claim = (index: number): StepClaim => {
    const {
      status: _s,
      output: _o,
      error: _e,
      finishedAt: _f,
      durationMs: _d,
      attempts: _a,
      ...rest
    } = step(executionId, ticketId, index);
    return rest;
  };

  it('writes a claimed step as running with its idempotency key, hidden from the detail until its result replaces it', async () => {
    await t.store.apply(ticketId, {
      expectStatus: 'executing',
      lease: { owner: 'worker-a', ms: LEASE },
      claimStep: claim(0),
      audit: [],
    });
    const rows = await t.query(`select status, idempotency_key, attempts, finished_at from steps`);
    expect(rows).toEqual([{ status: 'running', idempotency_key: `${executionId}:0`, attempts: 1, finished_at: null }]);
    expect((await t.store.getDetail(ticketId))?.steps).toEqual([]);
    const progress = await t.store.getProgress(ticketId);
    expect(progress?.running).toEqual([
      expect.objectContaining({ index: 0, idempotencyKey: stepKey(executionId, 0), attempts: 1 }),
    ]);
    expect(progress?.steps).toEqual([]);
    expect(progress?.lease).toMatchObject({ owner: 'worker-a', live: true });

    await t.store.apply(ticketId, {
      lease: { owner: 'worker-a', ms: LEASE },
      steps: [step(executionId, ticketId, 0, { attempts: 2 })],
      audit: [],
    });
    const after = await t.store.getProgress(ticketId);
    expect(after?.running).toEqual([]);
    expect(after?.steps).toEqual([step(executionId, ticketId, 0, { attempts: 2 })]);
    expect((await t.store.getDetail(ticketId))?.steps).toHaveLength(1);
  });

  it('refuses a second claim of the same key with TICKET_BUSY and writes nothing else of that change', async () => {
    await t.store.apply(ticketId, {
      expectStatus: 'executing',
      lease: { owner: 'worker-a', ms: LEASE },
      claimStep: claim(0),
      audit: [],
    });
    const again = t.store.apply(ticketId, {
      expectStatus: 'executing',
      lease: { owner: 'worker-a', ms: LEASE },
      claimStep: claim(0),
      audit: [{ ticketId, actor: 'orchestrator', action: 'should.not.stick' }],
    });
    await expect(again).rejects.toMatchObject({ code: 'TICKET_BUSY', retryable: true, details: { index: 0 } });
    expect(await t.query(`select count(*)::int as n from audit_events where action = 'should.not.stick'`)).toEqual([
      { n: 0 },
    ]);
    expect(await t.query(`select count(*)::int as n from steps`)).toEqual([{ n: 1 }]);
  });

  it('keeps a finished result when a late write of the same step arrives', async () => {
    await t.store.apply(ticketId, { lease: { owner: 'worker-a', ms: LEASE }, claimStep: claim(0), audit: [] });
    await t.store.apply(ticketId, {
      lease: { owner: 'worker-a', ms: LEASE },
      steps: [step(executionId, ticketId, 0)],
      audit: [],
    });
    await t.store.apply(ticketId, {
      lease: { owner: 'worker-a', ms: LEASE },
      steps: [step(executionId, ticketId, 0, { status: 'failed', output: null })],
      audit: [],
    });
    expect((await t.store.getProgress(ticketId))?.steps).toEqual([step(executionId, ticketId, 0)]);
  });

  it('refuses writes from another owner while the lease is live, and lets one take over once it ran out', async () => {
    const other = t.store.apply(ticketId, {
      expectStatus: 'executing',
      lease: { owner: 'worker-b', ms: LEASE },
      claimStep: claim(0),
      audit: [],
    });
    await expect(other).rejects.toMatchObject({ code: 'TICKET_BUSY', details: { holder: 'worker-a' } });
    expect(await t.query(`select count(*)::int as n from steps`)).toEqual([{ n: 0 }]);

    await t.store.apply(ticketId, { lease: { owner: 'worker-a', ms: 1 }, audit: [] });
    await new Promise((r) => setTimeout(r, 20));
    expect((await t.store.getProgress(ticketId))?.lease).toMatchObject({ owner: 'worker-a', live: false });
    expect(await t.store.renewLease(ticketId, 'worker-b', LEASE)).toBe(false);
    await t.store.apply(ticketId, {
      expectStatus: 'executing',
      lease: { owner: 'worker-b', ms: LEASE },
      claimStep: claim(0),
      audit: [],
    });
    expect((await t.store.getProgress(ticketId))?.lease).toMatchObject({ owner: 'worker-b', live: true });
    await expect(
      t.store.apply(ticketId, {
        lease: { owner: 'worker-a', ms: LEASE },
        steps: [step(executionId, ticketId, 0)],
        audit: [],
      }),
    ).rejects.toMatchObject({ code: 'TICKET_BUSY' });
    expect((await t.store.getProgress(ticketId))?.running).toHaveLength(1);
  });

  it('renews the lease only for its holder, and frees it on release', async () => {
    expect(await t.store.renewLease(ticketId, 'worker-a', LEASE)).toBe(true);
    expect(await t.store.renewLease(ticketId, 'worker-b', LEASE)).toBe(false);
    await t.store.apply(ticketId, {
      transition: { from: 'executing', to: 'escalated' },
      lease: { owner: 'worker-a', ms: LEASE, release: true },
      audit: [],
    });
    expect((await t.store.getProgress(ticketId))?.lease).toEqual({ owner: null, until: null, live: false });
  });

  it('counts one more attempt on a running step that is taken up again', async () => {
    await t.store.apply(ticketId, { lease: { owner: 'worker-a', ms: LEASE }, claimStep: claim(0), audit: [] });
    await t.store.apply(ticketId, {
      lease: { owner: 'worker-a', ms: LEASE },
      retakeStep: { executionId, index: 0 },
      audit: [],
    });
    expect((await t.store.getProgress(ticketId))?.running).toEqual([
      expect.objectContaining({ index: 0, attempts: 2 }),
    ]);
  });

  it('refuses a claim when the status moved on since it was read', async () => {
    await t.store.apply(ticketId, { transition: { from: 'executing', to: 'escalated' }, audit: [] });
    const stale = t.store.apply(ticketId, {
      expectStatus: 'executing',
      lease: { owner: 'worker-a', ms: LEASE },
      claimStep: claim(0),
      audit: [],
    });
    await expect(stale).rejects.toMatchObject({ code: 'INVALID_TRANSITION', details: { current: 'escalated' } });
    expect(await t.query(`select count(*)::int as n from steps`)).toEqual([{ n: 0 }]);
  });
});
