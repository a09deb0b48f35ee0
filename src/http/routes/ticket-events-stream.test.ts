import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { TicketEventBus } from '../../core/events.ts';
import type { TicketDetail, TicketRepository } from '../../core/ticket-repository.ts';
import { streamTicketEvents } from './ticket-events-stream.ts';

function detail(status: string): TicketDetail {
  return {
    ticket: { id: 't1', status, dryRun: false },
    executions: [],
    steps: [],
    audit: [],
  } as unknown as TicketDetail;
}

describe('ticket event stream', () => {
  it('ends with done when a heartbeat finds the ticket settled, even though its events never arrived', async () => {
    let reads = 0;
    // The first read (the snapshot) sees the ticket running; later reads see it resolved. No event is ever delivered.
    const store = {
      getDetail: async () => detail(reads++ === 0 ? 'executing' : 'resolved'),
    } as unknown as TicketRepository;
    const silentBus: TicketEventBus = { publish: () => undefined, subscribe: () => () => undefined };
    const app = Fastify();
    app.get('/events', async (request, reply) =>
      streamTicketEvents(request, reply, { store, events: silentBus }, 't1', 30),
    );
    // No event ever arrives: the response can only end (and this await return) through a heartbeat's re-read.
    const response = await app.inject({ method: 'GET', url: '/events' });
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(response.body).toContain('event: snapshot');
    expect(response.body).toMatch(
      /event: done\ndata: \{"type":"done","ticketId":"t1","status":"resolved","success":true\}/,
    );
    await app.close();
  });
});
