// Notifications through a whole runtime: the channels file is read at start, a ticket's state change is sent to a
// real receiver on loopback, and the ticket's notifications route shows the delivery.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

describe('notifications in the runtime', () => {
  let receiver: WebhookReceiver;
  let rt: TestRuntime;
  let dir: string;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-notify-'));
    const file = path.join(dir, 'notify.yaml');
    writeFileSync(
      file,
      [
        'channels:',
        '  - name: helpdesk-hook',
        '    type: webhook',
        `    url: { env: HOOK_URL }`,
        '    secret: { env: HOOK_SECRET }',
        '    events: [ticket.escalated, ticket.no_fault_found, ticket.resolved, ticket.status_changed]',
        'callbacks:',
        '  secret: { env: HOOK_SECRET }',
      ].join('\n'),
    );
    rt = await startTestRuntime('postgres', {
      TWISTERLAB_NOTIFY_FILE: file,
      TWISTERLAB_NOTIFY_ALLOW: '127.0.0.1',
      TWISTERLAB_NOTIFY_POLL_MS: '50',
      HOOK_URL: receiver.url('/tl'),
      HOOK_SECRET: 'a-long-enough-signing-secret',
    });
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the state changes of a ticket and shows each delivery on the ticket', async () => {
    const created = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      payload: {
        description: 'The coffee machine on the third floor makes a grinding noise and my password is CoffeeBeans77!',
      },
    });
    expect(created.statusCode).toBe(202);
    const id = (created.json() as { ticket: { id: string } }).ticket.id;
    const detail = await waitForTicket(rt.app, id);
    const finalEvent = `ticket.${detail.ticket.status}`;
    let items: Array<{ event: string; status: string; deliveryId: string; channel: string }> = [];
    for (let i = 0; i < 400; i += 1) {
      const response = await rt.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}/notifications` });
      expect(response.statusCode).toBe(200);
      items = (response.json() as { items: typeof items }).items;
      if (items.some((n) => n.event === finalEvent && n.status === 'delivered')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(items.find((n) => n.event === finalEvent)).toMatchObject({ status: 'delivered', channel: 'helpdesk-hook' });
    expect(items.filter((n) => n.event === 'ticket.status_changed').length).toBeGreaterThan(0);
    const sent = receiver.byDelivery.get(items.find((n) => n.event === finalEvent)!.deliveryId)!;
    const body = JSON.parse(sent.body) as {
      ticketId: string;
      event: string;
      ticket: { status: string };
      team: string | null;
      handoffSummary: string | null;
    };
    expect(body).toMatchObject({ ticketId: id, event: finalEvent, ticket: { status: detail.ticket.status } });
    // Settled with a person (escalated or waiting for the requester): the team and the plain-words handoff go along.
    expect(detail.ticket.team).toBeTruthy();
    expect(body).toMatchObject({ team: detail.ticket.team, handoffSummary: detail.ticket.handoffSummary });
    expect(body.handoffSummary).toMatch(/^Request: the requester .*coffee machine/);
    expect(sent.body).not.toContain('CoffeeBeans77');
  });

  it("tells a helpdesk ticket's callback URL of every state change, signed, and no other ticket's", async () => {
    const callbackUrl = receiver.url('/helpdesk/callback/4711');
    const created = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      payload: {
        description: 'Outlook keeps asking for my credentials since this morning',
        title: 'Outlook prompts',
        externalId: 'ZAM-4711',
        callbackUrl,
      },
    });
    expect(created.statusCode).toBe(202);
    const id = (created.json() as { ticket: { id: string } }).ticket.id;
    const detail = await waitForTicket(rt.app, id);
    const moves = detail.audit.filter(
      (a) => a.fromStatus !== null && a.toStatus !== null && a.fromStatus !== a.toStatus,
    );
    const callbacks = () => receiver.accepted.filter((r) => r.path === '/helpdesk/callback/4711');
    for (let i = 0; i < 400 && callbacks().length === 0; i += 1) await new Promise((r) => setTimeout(r, 25));
    const rows = (
      (await rt.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}/notifications` })).json() as {
        items: Array<{ channel: string; status: string }>;
      }
    ).items;
    const callbackRows = rows.filter((r) => r.channel === 'callback');
    expect(callbackRows.length).toBeGreaterThan(0);
    expect(callbackRows.length).toBeLessThanOrEqual(moves.length);
    for (let i = 0; i < 400 && callbacks().length < callbackRows.length; i += 1)
      await new Promise((r) => setTimeout(r, 25));
    const bodies = callbacks().map(
      (r) =>
        JSON.parse(r.body) as {
          event: string;
          ticketId: string;
          details: { to: string };
          ticket: { external_id: string };
        },
    );
    expect(
      bodies.every(
        (b) => b.event === 'ticket.status_changed' && b.ticketId === id && b.ticket.external_id === 'ZAM-4711',
      ),
    ).toBe(true);
    expect(bodies.map((b) => b.details.to)).toContain(detail.ticket.status);
    expect(callbacks().every((r) => String(r.headers['x-twisterlab-signature']).startsWith('sha256='))).toBe(true);
    // The first ticket had no callback URL: nothing of it went there.
    expect(receiver.accepted.filter((r) => r.path.startsWith('/helpdesk')).every((r) => r.body.includes(id))).toBe(
      true,
    );
  });

  it('answers 404 naming the ticket for notifications of an unknown ticket, 400 for a malformed id', async () => {
    const missing = await rt.app.inject({
      method: 'GET',
      url: '/api/v1/tickets/0190a5a0-0000-7000-8000-000000000000/notifications',
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('0190a5a0-0000-7000-8000-000000000000');
    expect((await rt.app.inject({ method: 'GET', url: '/api/v1/tickets/nope/notifications' })).statusCode).toBe(400);
  });
});
