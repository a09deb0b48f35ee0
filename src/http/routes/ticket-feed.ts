// GET /api/v1/events: every ticket's status changes (and that a ticket was assigned or commented) as server-sent
// events, for the console's live pages. Only the ids and states travel (the page reads again through the API,
// with the reader's rights); heartbeats keep proxies from closing an idle stream.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ALL_TICKETS, type TicketEventBus } from '../../core/events.ts';
import { HEARTBEAT_MS } from './ticket-events-stream.ts';

export function ticketFeedRoutes(deps: { events: TicketEventBus; heartbeatMs?: number }): FastifyPluginAsyncZod {
  return async (app) => {
    const open = new Set<() => void>();
    // An open stream would keep the server from closing.
    app.addHook('preClose', async () => {
      for (const end of [...open]) end();
    });
    app.get(
      '/api/v1/events',
      {
        schema: {
          operationId: 'streamTicketFeed',
          tags: ['tickets'],
          summary:
            "Server-sent events: every ticket's status changes (ticket id, from, to, at), and that a ticket was assigned or commented (ticket id only)",
          response: {
            200: {
              description:
                'A stream of `event: status` with JSON `data` `{ ticketId, from, to, at }`, `event: updated` and `event: comment` with `{ ticketId }`, and keep-alive comments',
              content: { 'text/event-stream': { schema: z.string() } },
            },
          },
        },
      },
      async (request, reply) => {
        const res = reply.raw;
        reply.hijack();
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write(': connected\n\n');
        const unsubscribe = deps.events.subscribe(ALL_TICKETS, (event) => {
          if (event.type === 'status') {
            const data = { ticketId: event.ticketId, from: event.from, to: event.to, at: event.at };
            res.write(`event: status\ndata: ${JSON.stringify(data)}\n\n`);
          } else if (event.type === 'updated' || event.type === 'comment') {
            // Only that it changed (assigned, commented): the page reads the ticket again with the reader's rights.
            res.write(`event: ${event.type}\ndata: ${JSON.stringify({ ticketId: event.ticketId })}\n\n`);
          }
        });
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs ?? HEARTBEAT_MS);
        const end = () => {
          open.delete(end);
          clearInterval(heartbeat);
          unsubscribe();
          res.end();
        };
        open.add(end);
        request.raw.on('close', end);
      },
    );
  };
}
