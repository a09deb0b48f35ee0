// The test helpers' wait for a ticket fails when nothing moves, never because a busy machine is slow: a ticket
// queued behind others keeps it waiting as long as the audit trail grows, and one stuck with the trail still fails.
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { waitForTicketUntil } from './test-runtime.ts';

/**
 * A stand-in for the app: the ticket's status and the newest audit id, as the routes would answer them. `onAudit`
 * runs at each read of the trail (other tickets being processed between two polls).
 */
function fakeApp(state: { status: string; auditId: number }, onAudit = () => {}): FastifyInstance {
  return {
    inject: async ({ url }: { url: string }) => {
      if (url.startsWith('/api/v1/audit')) onAudit();
      return {
        statusCode: 200,
        json: () =>
          url.startsWith('/api/v1/audit')
            ? { items: [{ id: state.auditId }] }
            : { ticket: { status: state.status, updatedAt: 'then', dryRun: false }, executions: [] },
      };
    },
  } as unknown as FastifyInstance;
}

describe('waitForTicketUntil', () => {
  it('keeps waiting past the stall time while the audit trail grows, and returns once the ticket is done', async () => {
    const state = { status: 'new', auditId: 1 };
    const started = Date.now();
    // The trail grows at every poll; the ticket is done after 60 of them, well past the stall time.
    const app = fakeApp(state, () => {
      state.auditId += 1;
      if (state.auditId > 60) state.status = 'resolved';
    });
    const detail = await waitForTicketUntil(app, 'id-1', (d) => d.ticket.status === 'resolved', {
      stallMs: 50,
      pollMs: 5,
    });
    expect(detail.ticket.status).toBe('resolved');
    expect(Date.now() - started).toBeGreaterThan(50);
  });

  it('fails, naming the ticket and its status, once nothing moved for the stall time', async () => {
    const state = { status: 'planned', auditId: 7 };
    await expect(
      waitForTicketUntil(fakeApp(state), 'id-2', (d) => d.ticket.status === 'resolved', { stallMs: 100, pollMs: 5 }),
    ).rejects.toThrow('ticket id-2 still planned: nothing moved for 100 ms');
  });
});
