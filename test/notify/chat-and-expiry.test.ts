// Chat channels as their receivers read them (Slack-compatible blocks, a Teams workflow's Adaptive Card), the
// outbound guard in front of every URL, and the warning of an approval about to expire, queued once per channel.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createChatChannel } from '../../src/adapters/notify/chat-channels.ts';
import { DeliveryError } from '../../src/adapters/notify/channel.ts';
import { EMPTY_ALLOW_LIST, parseNetworkAllowList } from '../../src/core/network-guard.ts';
import { buildMessage } from '../../src/core/notifications/notification-message.ts';
import type { OutboxEntry } from '../../src/core/notifications/outbox.ts';
import { postgresBackend, type TestStore } from '../store/backends.ts';
import { newTicket, plan } from '../store/fixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const ticketId = '0190a5a0-1111-7000-8000-00000000beef';
const escalated: OutboxEntry = {
  id: '0190a5a0-2222-7000-8000-000000000002',
  ticketId,
  channel: 'chat',
  event: 'ticket.escalated',
  idempotencyKey: '0190a5a0-2222-7000-8000-000000000002',
  payload: {
    ticket: {
      id: ticketId,
      status: 'escalated',
      description: 'VPN <!channel> drops & reconnects',
      requester: 'dave',
      priority: 'high',
      team: 'network',
      assignee: 'erin',
      handoff_summary:
        'Request: the requester reports something not working: "VPN drops & reconnects"\nSystem: host vpn-gw\nUrgency: high\n' +
        'Checked: found packet loss on vpn-gw (remains)\nLeft to do: fix what was found: packet loss on vpn-gw\nTeam: network',
    },
    details: {
      reason: 'the fix did not hold: packet loss remains',
      findings: [{ id: 'network.packet_loss', target: 'vpn-gw:443', evidence: { loss_percent: 18 } }],
    },
  },
  status: 'pending',
  attempts: 1,
  nextAttemptAt: '2026-12-05T07:00:00.000Z',
  lastError: null,
  deliveredAt: null,
  createdAt: '2026-12-05T07:00:00.000Z',
};

describe('chat channels', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.close());
  const post = { allow: parseNetworkAllowList('127.0.0.1'), timeoutMs: 2_000 };
  const message = buildMessage(escalated, 'https://tl.example.org');

  it('posts Slack-compatible text and blocks, with ticket text unable to mention or link', async () => {
    await createChatChannel({ name: 'chat', type: 'slack', url: receiver.url('/slack'), post }).send(message, 1);
    const body = JSON.parse(receiver.accepted.at(-1)!.body) as {
      text: string;
      blocks: Array<{ type: string; text?: { text: string } }>;
    };
    expect(body.text).toContain('Ticket escalated');
    expect(body.text).toContain('&lt;!channel&gt; drops &amp; reconnects');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    const lines = body.blocks[1]!.text!.text;
    // The plain-words handoff first, then the technical detail.
    expect(lines.split('\n').slice(0, 6)).toEqual([
      'Request: the requester reports something not working: "VPN drops &amp; reconnects"',
      'System: host vpn-gw',
      'Urgency: high',
      'Checked: found packet loss on vpn-gw (remains)',
      'Left to do: fix what was found: packet loss on vpn-gw',
      'Team: network',
    ]);
    expect(lines).toContain('Technical detail: the fix did not hold');
    expect(lines).toContain('network.packet_loss on vpn-gw:443 (loss_percent=18)');
    const fields = (body.blocks[2] as unknown as { fields: Array<{ text: string }> }).fields.map((f) => f.text);
    expect(fields).toContain('*Team*\nnetwork');
    expect(fields).toContain('*Assignee*\nerin');
  });

  it('posts a Teams workflow message with one Adaptive Card attachment and a link to the ticket', async () => {
    await createChatChannel({ name: 'chat', type: 'teams', url: receiver.url('/teams'), post }).send(message, 1);
    const body = JSON.parse(receiver.accepted.at(-1)!.body) as {
      type: string;
      attachments: Array<{
        contentType: string;
        content: {
          type: string;
          version: string;
          body: Array<{ type: string; text?: string }>;
          actions: Array<{ type: string; url: string }>;
        };
      }>;
    };
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    const card = body.attachments[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.content.body.some((b) => b.type === 'FactSet')).toBe(true);
    const texts = card.content.body.filter((b) => b.type === 'TextBlock').map((b) => b.text);
    expect(texts).toContain('Left to do: fix what was found: packet loss on vpn-gw');
    expect(texts).toContain('Team: network');
    const facts = (
      card.content.body.find((b) => b.type === 'FactSet') as unknown as {
        facts: Array<{ title: string; value: string }>;
      }
    ).facts;
    expect(facts).toContainEqual({ title: 'Team', value: 'network' });
    expect(card.content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open ticket', url: `https://tl.example.org/tickets/${ticketId}` },
    ]);
  });

  it('refuses an internal URL the allow-list does not open, for good, without sending anything', async () => {
    const before = receiver.accepted.length;
    const error = await createChatChannel({
      name: 'chat',
      type: 'slack',
      url: receiver.url('/slack'),
      post: { allow: EMPTY_ALLOW_LIST, timeoutMs: 2_000 },
    })
      .send(message, 1)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ permanent: true });
    expect((error as Error).message).toMatch(/outbound guard: 127\.0\.0\.1 is 127\.0\.0\.1, a loopback address/);
    expect(receiver.accepted.length).toBe(before);
  });
});

describe('approval about to expire', () => {
  const backend = postgresBackend();
  let db: TestStore;
  beforeAll(() => backend.setup(), 60_000);
  afterAll(() => backend.teardown());
  afterEach(() => db?.close());

  it('queues one warning per channel for an approval expiring within the window, and none for a later one', async () => {
    db = await backend.fresh();
    const soon = async (minutes: number) => {
      const { ticket } = await db.store.create(newTicket({ description: `Restart the billing worker (${minutes})` }));
      const executionId = randomUUID();
      const approvalId = randomUUID();
      await db.store.apply(ticket.id, {
        transition: { from: 'new', to: 'awaiting_approval', via: ['triaged', 'planned'] },
        newExecution: { id: executionId, plan, dryRun: false },
        newApprovals: [
          {
            id: approvalId,
            executionId,
            stepIndex: 0,
            stepHash: 'h',
            requestedBy: 'orchestrator',
            expiresAt: new Date(Date.now() + minutes * 60_000).toISOString(),
          },
        ],
        audit: [],
      });
      return { ticketId: ticket.id, approvalId };
    };
    const near = await soon(5);
    const far = await soon(90);
    const targets = [{ channel: 'ops' }, { channel: 'db-team', categories: ['database' as const] }];
    expect(await db.outbox.enqueueExpiringApprovals({ withinMs: 10 * 60_000, targets })).toBe(1);
    expect(await db.outbox.enqueueExpiringApprovals({ withinMs: 10 * 60_000, targets })).toBe(0);
    const rows = await db.outbox.listForTicket(near.ticketId);
    expect(rows.map((r) => [r.channel, r.event])).toEqual([['ops', 'approval.expiring']]);
    expect(rows[0]!.payload.details.approval).toMatchObject({
      id: near.approvalId,
      stepIndex: 0,
      capability: plan.steps[0]!.capability,
    });
    const text = buildMessage(rows[0]!, 'https://tl.example.org').lines.join('\n');
    expect(text).toContain(`twisterlab approve ${near.approvalId}`);
    expect(await db.outbox.listForTicket(far.ticketId)).toEqual([]);
  });
});
