// The notifications outbox on both stores: rows are written by the ticket change that causes them (and only when
// it is written), delivered by the dispatcher to a real HTTP receiver on loopback, retried while the receiver is
// down, and delivered once per delivery id when it is back; signed, redacted, and shared by several dispatchers.
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import { parseNetworkAllowList } from '../../src/core/network-guard.ts';
import type { NotificationRouter } from '../../src/core/notifications/outbox.ts';
import { escalationPatch } from '../../src/core/handoff/escalation.ts';
import { createDispatcher } from '../../src/adapters/notify/dispatcher.ts';
import { createWebhookChannel } from '../../src/adapters/notify/webhook-channel.ts';
import type { NotifyChannel } from '../../src/adapters/notify/channel.ts';
import { pgliteBackend, postgresBackend, type TestStore } from '../store/backends.ts';
import { newTicket } from '../store/fixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const SECRET = 'shared-secret-for-signing';
const allow = parseNetworkAllowList('127.0.0.1');

const everyEventToHook: NotificationRouter = {
  targets: (event) =>
    event === 'ticket.status_changed' ? [] : [{ channel: 'hook' }, { channel: 'db-team', categories: ['database'] }],
};

function hookChannels(receiver: WebhookReceiver): Map<string, NotifyChannel> {
  const post = { allow, timeoutMs: 2_000 };
  return new Map([
    ['hook', createWebhookChannel({ name: 'hook', url: receiver.url('/hook'), secret: SECRET, post })],
    ['db-team', createWebhookChannel({ name: 'db-team', url: receiver.url('/db'), post })],
  ]);
}

async function escalate(store: TestStore['store'], description: string, reason: string) {
  const { ticket } = await store.create(newTicket({ description }));
  return store.apply(ticket.id, {
    transition: { from: 'new', to: 'escalated' },
    patch: escalationPatch(ticket, { reason }),
    audit: [],
  });
}

/** Runs dispatch passes until `done` holds; a pass makes progress or waits for the next attempt to fall due. */
async function dispatchUntil(run: () => Promise<number>, done: () => boolean, passes = 400): Promise<void> {
  for (let i = 0; i < passes && !done(); i += 1) {
    if ((await run()) === 0) await new Promise((r) => setTimeout(r, 10));
  }
  expect(done()).toBe(true);
}

describe.each([pgliteBackend(), postgresBackend()])('notifications outbox on $name', (backend) => {
  let db: TestStore;
  let receiver: WebhookReceiver;
  beforeAll(() => backend.setup(), 120_000);
  afterAll(() => backend.teardown());
  afterEach(async () => {
    await receiver?.close();
    await db?.close();
  });

  it('writes a row per wanting channel with the change, filtered by the ticket as changed, and none when the change is refused', async () => {
    db = await backend.fresh();
    receiver = await startWebhookReceiver();
    db.store.routeNotifications(everyEventToHook);
    const ticket = await escalate(db.store, 'The shop page hangs', 'nothing safe to do');
    const rows = await db.outbox.listForTicket(ticket.id);
    expect(rows.map((r) => [r.channel, r.event, r.status])).toEqual([['hook', 'ticket.escalated', 'pending']]);
    expect(rows[0]!.payload.ticket.status).toBe('escalated');
    expect(rows[0]!.payload.details.reason).toBe('nothing safe to do');

    // A database ticket reaches the database team too.
    const { ticket: dbTicket } = await db.store.create(newTicket());
    await db.store.apply(dbTicket.id, {
      transition: { from: 'new', to: 'triaged' },
      patch: { category: 'database', priority: 'high' },
      audit: [],
    });
    await db.store.apply(dbTicket.id, {
      transition: { from: 'triaged', to: 'escalated' },
      patch: { escalationReason: 'disk' },
      audit: [],
    });
    expect((await db.outbox.listForTicket(dbTicket.id)).map((r) => r.channel).sort()).toEqual(['db-team', 'hook']);

    // A swap that fails (the ticket is no longer new) writes neither the change nor a notification.
    await expect(
      db.store.apply(ticket.id, {
        transition: { from: 'new', to: 'resolved' },
        patch: { resolutionNote: 'x' },
        audit: [],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await db.outbox.listForTicket(ticket.id)).toHaveLength(1);
  });

  it('loses nothing while the receiver is down, then delivers each notification once, signed and without secrets', async () => {
    db = await backend.fresh();
    receiver = await startWebhookReceiver();
    db.store.routeNotifications(everyEventToHook);
    await receiver.stop();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(
        (
          await escalate(
            db.store,
            `Login broken for user ${i}, my password is Hunter2-secret${i}`,
            `escalated with token=ghp_${'a'.repeat(36)}`,
          )
        ).id,
      );
    }
    const outcomes: string[] = [];
    const dispatcher = createDispatcher({
      outbox: db.outbox,
      channels: hookChannels(receiver),
      logger: silentLogger,
      owner: 'p1',
      pollMs: 10,
      leaseMs: 10_000,
      batch: 10,
      retry: { baseMs: 20, maxMs: 80, maxAttempts: 50 },
      pageBaseUrl: 'http://twisterlab.example',
      onResult: (_e, o) => outcomes.push(o),
    });
    // Down: connections refused; then answering 503. Every attempt fails and is rescheduled, nothing is dropped.
    await dispatchUntil(dispatcher.runOnce, () => outcomes.filter((o) => o === 'retry').length >= 10);
    receiver.failWith = 503;
    await receiver.start();
    await dispatchUntil(dispatcher.runOnce, () => receiver.refused >= 5);
    const waiting = await Promise.all(ids.map((id) => db.outbox.listForTicket(id)));
    expect(waiting.flat().every((r) => r.status === 'pending' && r.attempts >= 2 && r.lastError !== null)).toBe(true);

    receiver.failWith = undefined;
    await dispatchUntil(dispatcher.runOnce, () => receiver.byDelivery.size === 5);
    await dispatcher.runOnce();
    expect(receiver.accepted).toHaveLength(5);
    const rows = (await Promise.all(ids.map((id) => db.outbox.listForTicket(id)))).flat();
    expect(rows.every((r) => r.status === 'delivered' && r.deliveredAt !== null)).toBe(true);
    expect([...receiver.byDelivery.keys()].sort()).toEqual(rows.map((r) => r.idempotencyKey).sort());

    for (const request of receiver.accepted) {
      const timestamp = String(request.headers['x-twisterlab-timestamp']);
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${request.body}`).digest('hex')}`;
      expect(request.headers['x-twisterlab-signature']).toBe(expected);
      expect(request.body).not.toMatch(/Hunter2-secret|ghp_a{10}/);
      const body = JSON.parse(request.body) as {
        event: string;
        ticketId: string;
        text: string;
        team: string | null;
        handoffSummary: string | null;
        ticket: Record<string, unknown>;
      };
      expect(body.event).toBe('ticket.escalated');
      expect(ids).toContain(body.ticketId);
      expect(body.text).toContain('Technical detail: escalated with');
      // Never analysed: the default desk takes it, and the handoff quotes the request (without its secret).
      expect(body.team).toBe('service desk');
      expect(body.ticket.team).toBe('service desk');
      expect(body.handoffSummary).toMatch(/^Request: the requester wrote: "Login broken for user \d, my password is /);
      expect(body.handoffSummary).toMatch(/\nTeam: service desk$/);
      expect(body.text.startsWith(body.handoffSummary!)).toBe(true);
    }
  });

  it('gives a notification up after its last attempt and says why', async () => {
    db = await backend.fresh();
    receiver = await startWebhookReceiver();
    db.store.routeNotifications({ targets: (event) => (event === 'ticket.escalated' ? [{ channel: 'hook' }] : []) });
    receiver.failWith = 500;
    const ticket = await escalate(db.store, 'The VPN drops every few minutes', 'no runbook');
    const dispatcher = createDispatcher({
      outbox: db.outbox,
      channels: hookChannels(receiver),
      logger: silentLogger,
      owner: 'p1',
      pollMs: 10,
      leaseMs: 10_000,
      batch: 10,
      retry: { baseMs: 5, maxMs: 10, maxAttempts: 3 },
      pageBaseUrl: 'http://twisterlab.example',
    });
    let row = (await db.outbox.listForTicket(ticket.id))[0]!;
    for (let i = 0; i < 400 && row.status === 'pending'; i += 1) {
      if ((await dispatcher.runOnce()) === 0) await new Promise((r) => setTimeout(r, 5));
      row = (await db.outbox.listForTicket(ticket.id))[0]!;
    }
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row.lastError).toContain('HTTP 500');
    expect(receiver.refused).toBe(3);
  });

  it('shares the work between dispatchers of several processes: each notification is sent once', async () => {
    db = await backend.fresh();
    receiver = await startWebhookReceiver();
    db.store.routeNotifications({ targets: (event) => (event === 'ticket.escalated' ? [{ channel: 'hook' }] : []) });
    for (let i = 0; i < 12; i += 1) await escalate(db.store, `Printer ${i} jams`, 'nothing fits');
    const make = (owner: string) =>
      createDispatcher({
        outbox: db.outbox,
        channels: hookChannels(receiver),
        logger: silentLogger,
        owner,
        pollMs: 10,
        leaseMs: 10_000,
        batch: 3,
        retry: { baseMs: 20, maxMs: 80, maxAttempts: 5 },
        pageBaseUrl: 'http://twisterlab.example',
      });
    const [a, b, c] = [make('a'), make('b'), make('c')];
    await dispatchUntil(
      () => Promise.all([a.runOnce(), b.runOnce(), c.runOnce()]).then((n) => n[0]! + n[1]! + n[2]!),
      () => receiver.byDelivery.size === 12,
    );
    expect(receiver.accepted).toHaveLength(12);
  });
});
