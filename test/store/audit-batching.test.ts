// Audit rows from many callers at once share inserts, and sharing changes nothing else: every caller's rows are
// stored (in the order they came), each caller hears about its own rows only, and one caller's bad row (a ticket
// that does not exist) fails that caller alone.
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { pgliteBackend, postgresBackend, type TestStore } from './backends.ts';
import { newTicket } from './fixtures.ts';

describe.each([pgliteBackend(), postgresBackend()])('audit rows batched on $name', (backend) => {
  let t: TestStore;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    t = await backend.fresh();
  });
  afterEach(() => t.close());

  it('stores the rows of twenty concurrent callers in fewer statements, and fails only the caller with a bad row', async () => {
    const { ticket } = await t.store.create(newTicket());
    const before = t.statements();
    const missing = '0190b7d8-0000-7000-8000-000000000000';
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        t.store.appendAudit([
          {
            ticketId: i === 7 ? missing : ticket.id,
            actor: 'commander',
            action: 'command.executed',
            details: { n: i },
          },
        ]),
      ),
    );
    const statements = t.statements() - before;
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i === 7 ? 'rejected' : 'fulfilled')),
    );
    const rows = await t.query(
      `select ticket_id, (details->>'n')::int as n from audit_events where action = 'command.executed' order by id`,
    );
    expect(rows).toEqual(
      Array.from({ length: 20 }, (_, i) => i)
        .filter((i) => i !== 7)
        .map((n) => ({ ticket_id: ticket.id, n })),
    );
    // One insert for the first, one for the others that queued behind it; the failed batch is retried one by one.
    expect(statements).toBeLessThan(20 + 2 + 1);
    const quiet = t.statements();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.store.appendAudit([{ ticketId: ticket.id, actor: 'a', action: 'x', details: { i } }]),
      ),
    );
    expect(t.statements() - quiet).toBeLessThanOrEqual(2);
  });
});
