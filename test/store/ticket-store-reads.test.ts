// The store's reads against real PGlite and PostgreSQL 15: filtered and paged lists with their total,
// recovery of unfinished tickets, status counts, detached audit rows and the agent catalogue.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/core/ticket-repository.ts';
import type { TicketStatus } from '../../src/core/ticket.ts';
import { pgliteBackend, postgresBackend } from './backends.ts';
import type { TestStore } from './backends.ts';
import { analysis, newTicket } from './fixtures.ts';

describe.each([pgliteBackend(), postgresBackend()])('store reads on $name', (backend) => {
  let t: TestStore;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    t = await backend.fresh();
  });
  afterEach(() => t.close());

  const pathTo: Record<'new' | 'triaged' | 'escalated' | 'resolved', TicketStatus[]> = {
    new: [],
    triaged: ['triaged'],
    escalated: ['escalated'],
    resolved: ['triaged', 'resolved'],
  };

  async function ticketIn(status: keyof typeof pathTo, patch: Parameters<typeof analysis>[0] = {}): Promise<Ticket> {
    const { ticket } = await t.store.create(newTicket({ description: `ticket to leave in ${status}` }));
    let from: TicketStatus = 'new';
    let current = ticket;
    for (const to of pathTo[status]) {
      current = await t.store.apply(ticket.id, {
        transition: { from, to },
        ...(to === 'triaged' ? { patch: { analysis: analysis(patch) } } : {}),
        audit: [],
      });
      from = to;
    }
    return current;
  }

  it('lists newest first with status, category and priority filters, paging, and the filtered total', async () => {
    const a = await ticketIn('triaged', { category: 'network', priority: 'low' });
    const b = await ticketIn('triaged', { category: 'network', priority: 'high' });
    const c = await ticketIn('new');
    const d = await ticketIn('resolved', { category: 'database', priority: 'high' });
    const ids = (items: Ticket[]) => items.map((x) => x.id);

    const all = await t.store.list({ limit: 10, offset: 0 });
    expect(ids(all.items)).toEqual([d.id, c.id, b.id, a.id]);
    expect(all.total).toBe(4);
    expect(await t.store.list({ limit: 2, offset: 1 })).toEqual({ items: [c, b], total: 4 });
    expect(await t.store.list({ limit: 10, offset: 10 })).toEqual({ items: [], total: 4 });

    const triaged = await t.store.list({ status: 'triaged', limit: 1, offset: 0 });
    expect(triaged).toEqual({ items: [b], total: 2 });
    expect(ids((await t.store.list({ category: 'network', limit: 10, offset: 0 })).items)).toEqual([b.id, a.id]);
    const high = await t.store.list({ priority: 'high', limit: 10, offset: 0 });
    expect({ ids: ids(high.items), total: high.total }).toEqual({ ids: [d.id, b.id], total: 2 });
    expect((await t.store.list({ category: 'network', priority: 'low', limit: 10, offset: 0 })).items).toEqual([a]);
  });

  it('lists unfinished tickets oldest first, leaving out resolved and escalated ones', async () => {
    const first = await ticketIn('new');
    await ticketIn('resolved');
    const second = await ticketIn('triaged');
    await ticketIn('escalated');
    const third = await ticketIn('new');
    expect((await t.store.listUnfinished(10)).map((x) => x.id)).toEqual([first.id, second.id, third.id]);
    expect((await t.store.listUnfinished(2)).map((x) => x.id)).toEqual([first.id, second.id]);
  });

  it('counts tickets by status as numbers, with zero for statuses no ticket has', async () => {
    await ticketIn('new');
    await ticketIn('new');
    await ticketIn('resolved');
    const counts = await t.store.countByStatus();
    expect(counts).toMatchObject({ new: 2, resolved: 1, triaged: 0, escalated: 0, failed: 0 });
    expect(Object.values(counts).every((n) => typeof n === 'number')).toBe(true);
  });

  it('counts tickets by status, category and priority, with null before triage', async () => {
    await ticketIn('new');
    await ticketIn('triaged', { category: 'network', priority: 'low' });
    await ticketIn('triaged', { category: 'network', priority: 'low' });
    await ticketIn('resolved', { category: 'database', priority: 'high' });
    const groups = await t.store.countByGroup();
    expect(groups).toHaveLength(3);
    expect(groups).toEqual(
      expect.arrayContaining([
        { status: 'new', category: null, priority: null, count: 1 },
        { status: 'triaged', category: 'network', priority: 'low', count: 2 },
        { status: 'resolved', category: 'database', priority: 'high', count: 1 },
      ]),
    );
  });

  it('returns null for a ticket that does not exist', async () => {
    expect(await t.store.get(crypto.randomUUID())).toBeNull();
    expect(await t.store.getDetail(crypto.randomUUID())).toBeNull();
  });

  it('appends audit rows that belong to no ticket, in one call', async () => {
    await t.store.appendAudit([
      {
        ticketId: null,
        actor: 'ops-key',
        action: 'capability.invoked',
        details: { capability: 'monitoring.get_system_metrics' },
      },
      { ticketId: null, actor: 'ops-key', action: 'capability.invoked' },
    ]);
    await t.store.appendAudit([]);
    const rows = await t.query(`select actor, action, ticket_id, details from audit_events order by id`);
    expect(rows).toEqual([
      {
        actor: 'ops-key',
        action: 'capability.invoked',
        ticket_id: null,
        details: { capability: 'monitoring.get_system_metrics' },
      },
      { actor: 'ops-key', action: 'capability.invoked', ticket_id: null, details: {} },
    ]);
  });

  it('lists audit rows newest first, by ticket (or none), actor and action, paging back by id', async () => {
    const one = await ticketIn('triaged');
    const two = await ticketIn('new');
    await t.store.appendAudit([{ ticketId: null, actor: 'ops-key', action: 'capability.invoked' }]);
    const all = await t.store.listAudit({ limit: 10 });
    expect(all.map((a) => [a.ticketId, a.action])).toEqual([
      [null, 'capability.invoked'],
      [two.id, 'ticket.created'],
      [one.id, 'ticket.created'],
    ]);
    expect(all.map((a) => a.id)).toEqual([...all.map((a) => a.id)].sort((x, y) => y - x));
    expect((await t.store.listAudit({ ticketId: null, limit: 10 })).map((a) => a.actor)).toEqual(['ops-key']);
    expect((await t.store.listAudit({ ticketId: one.id, limit: 10 })).map((a) => a.ticketId)).toEqual([one.id]);
    expect(
      (await t.store.listAudit({ actor: 'alice', action: 'ticket.created', limit: 10 })).map((a) => a.ticketId),
    ).toEqual([two.id, one.id]);
    const page = await t.store.listAudit({ beforeId: all[0]!.id, limit: 1 });
    expect(page).toEqual([all[1]]);
  });

  it('inserts agents and then updates them in place', async () => {
    await t.store.upsertAgents([
      { id: 'monitoring', description: 'old', capabilities: [] },
      {
        id: 'backup',
        description: 'Backups',
        capabilities: [{ id: 'backup.create_backup', risk: 'change', description: 'Take a backup' }],
      },
    ]);
    await t.store.upsertAgents([
      {
        id: 'monitoring',
        description: 'Health',
        capabilities: [{ id: 'monitoring.get_system_metrics', risk: 'read', description: 'Metrics' }],
      },
    ]);
    const rows = await t.query(`select id, description, capabilities from agents order by id`);
    expect(rows).toEqual([
      {
        id: 'backup',
        description: 'Backups',
        capabilities: [{ id: 'backup.create_backup', risk: 'change', description: 'Take a backup' }],
      },
      {
        id: 'monitoring',
        description: 'Health',
        capabilities: [{ id: 'monitoring.get_system_metrics', risk: 'read', description: 'Metrics' }],
      },
    ]);
  });

  it('answers a ping', async () => {
    await expect(t.store.ping()).resolves.toBeUndefined();
  });
});
