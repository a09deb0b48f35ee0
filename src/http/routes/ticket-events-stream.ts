// Server-sent events for one ticket: a snapshot first (subscribed before it is read, so nothing is missed),
// then every event until processing stops. Heartbeats keep proxies from closing an idle stream, and re-read the
// ticket so that a lost event cannot keep the stream open past the end.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TicketEvent, TicketEventBus } from '../../core/events.ts';
import { isSettled, type TicketRepository } from '../../core/ticket-repository.ts';

export const HEARTBEAT_MS = 15_000;

export async function streamTicketEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: { store: TicketRepository; events: TicketEventBus },
  ticketId: string,
  heartbeatMs = HEARTBEAT_MS,
): Promise<void> {
  const res = reply.raw;
  const pending: TicketEvent[] = [];
  let live = false;
  let closed = false;
  const write = (name: string, data: unknown) => {
    if (!closed) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    res.end();
  };
  const handle = (event: TicketEvent) => {
    write(event.type, event);
    if (event.type === 'done' || (event.type === 'status' && event.to === 'awaiting_approval')) finish();
  };
  const unsubscribe = deps.events.subscribe(ticketId, (event) => (live ? handle(event) : pending.push(event)));
  // Each heartbeat also reads the ticket again: an event lost on the way (events travel through Redis between
  // processes) must not leave a client waiting forever for a ticket that has already settled.
  const heartbeat = setInterval(() => {
    if (closed) return;
    res.write(': keep-alive\n\n');
    deps.store.getDetail(ticketId).then(
      (current) => {
        if (current && live && isSettled(current)) {
          write('done', {
            type: 'done',
            ticketId,
            status: current.ticket.status,
            success: current.ticket.status === 'resolved',
          });
          finish();
        }
      },
      () => {
        /* the store is down: the next heartbeat tries again */
      },
    );
  }, heartbeatMs);
  request.raw.on('close', finish);

  reply.hijack();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const detail = await deps.store.getDetail(ticketId);
  if (!detail) return finish();
  write('snapshot', detail);
  if (isSettled(detail)) {
    write('done', {
      type: 'done',
      ticketId,
      status: detail.ticket.status,
      success: detail.ticket.status === 'resolved',
    });
    return finish();
  }
  live = true;
  for (const event of pending.splice(0)) handle(event);
}
