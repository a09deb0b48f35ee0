// Escalations made outside the loop carry the same plain-words handoff and team as the loop's own: the resolver's
// escalate capability on a ticket never analysed (routed to the default desk, and to its person) and on a triaged
// one (its team kept), on both stores. The notification the change writes carries the team and the handoff, and
// each channel's rendering shows them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { escalateTicket } from '../../src/agents/resolver/resolver-agent.ts';
import { createInProcessEventBus } from '../../src/adapters/events/in-process-event-bus.ts';
import { slackPayload, teamsPayload } from '../../src/adapters/notify/chat-channels.ts';
import { emailText } from '../../src/adapters/notify/email-channel.ts';
import { webhookBody } from '../../src/adapters/notify/webhook-channel.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { buildMessage } from '../../src/core/notifications/notification-message.ts';
import { parseRouting } from '../../src/core/routing/routing.ts';
import { pgliteBackend, postgresBackend, type TestStore } from '../store/backends.ts';
import { analysis, newTicket } from '../store/fixtures.ts';

const routing = parseRouting(
  {
    rules: [{ name: 'databases', category: ['database'], team: 'dba on call' }],
    default: { team: 'front desk', assignee: 'fran' },
  },
  'routing',
);

describe.each([pgliteBackend(), postgresBackend()])('escalations outside the loop on $name', (backend) => {
  let db: TestStore;
  beforeAll(() => backend.setup(), 120_000);
  afterAll(() => backend.teardown());
  afterEach(() => db?.close());

  const escalate = (ticketId: string, reason: string) =>
    escalateTicket.run(
      { ticket_id: ticketId, reason },
      {
        deps: { store: db.store, events: createInProcessEventBus(silentLogger), routing },
        actor: 'maestro',
        signal: new AbortController().signal,
        logger: silentLogger,
      },
    );

  it('describes a ticket never analysed from its own words, routes it to the default desk and its person, and notifies with both', async () => {
    db = await backend.fresh();
    db.store.routeNotifications({ targets: (event) => (event === 'ticket.escalated' ? [{ channel: 'desk' }] : []) });
    const { ticket } = await db.store.create(
      newTicket({
        description: 'Payroll export shows last month twice\nmore text here',
        context: { serviceName: 'payroll' },
      }),
    );
    await escalate(ticket.id, 'maestro: runbook payroll-export has no step for this (rule R12)');

    const stored = (await db.store.get(ticket.id))!;
    expect(stored).toMatchObject({
      status: 'escalated',
      team: 'front desk',
      assignee: 'fran',
      escalationReason: 'maestro: runbook payroll-export has no step for this (rule R12)',
    });
    expect(stored.handoffSummary!.split('\n')).toEqual([
      'Request: the requester wrote: "Payroll export shows last month twice" (not analysed before it came to a person)',
      'System: our service payroll',
      'Urgency: not assessed: the ticket was not analysed before it came to a person',
      'Checked: no automatic check could be run',
      'Left to do: maestro handed it to a person, saying "maestro: runbook payroll-export has no step for this (rule R12)": take it from there',
      'Team: front desk',
    ]);

    const [row] = await db.outbox.listForTicket(ticket.id);
    expect(row).toMatchObject({ event: 'ticket.escalated', channel: 'desk' });
    expect(row!.payload.ticket).toMatchObject({
      team: 'front desk',
      assignee: 'fran',
      handoff_summary: stored.handoffSummary,
    });
    const message = buildMessage(row!, 'https://tl.example.org');
    expect(message).toMatchObject({ team: 'front desk', handoffSummary: stored.handoffSummary });
    expect(message.facts).toEqual(
      expect.arrayContaining([
        { label: 'Team', value: 'front desk' },
        { label: 'Assignee', value: 'fran' },
      ]),
    );

    // Each channel's format: the webhook's fields, the mail text, the Slack section, the Teams card.
    const hook = JSON.parse(webhookBody(message)) as { team: string; handoffSummary: string; text: string };
    expect(hook).toMatchObject({ team: 'front desk', handoffSummary: stored.handoffSummary });
    expect(hook.text.split('\n').slice(0, 7)).toEqual([
      ...stored.handoffSummary!.split('\n'),
      'Technical detail: maestro: runbook payroll-export has no step for this (rule R12)',
    ]);
    expect(emailText(message)).toContain(`${stored.handoffSummary}\nTechnical detail: `);
    expect(emailText(message)).toMatch(/^Team: front desk$/m);
    const slack = slackPayload(message) as {
      blocks: Array<{ text?: { text: string }; fields?: Array<{ text: string }> }>;
    };
    expect(slack.blocks[1]!.text!.text).toContain('Left to do: maestro handed it to a person');
    expect(slack.blocks[2]!.fields!.map((f) => f.text)).toContain('*Team*\nfront desk');
    const teams = teamsPayload(message) as {
      attachments: Array<{ content: { body: Array<{ type: string; text?: string }> } }>;
    };
    expect(teams.attachments[0]!.content.body.map((b) => b.text)).toContain('Team: front desk');
  });

  it('keeps the team triage chose and says what was asked, about which system, how urgent and why', async () => {
    db = await backend.fresh();
    const { ticket } = await db.store.create(newTicket());
    await db.store.apply(ticket.id, {
      transition: { from: 'new', to: 'triaged' },
      patch: {
        analysis: analysis({ intent: 'incident', team: 'dba on call' }),
        team: 'dba on call',
        intent: 'incident',
      },
      audit: [],
    });
    await escalate(ticket.id, 'needs a DBA');
    const stored = (await db.store.get(ticket.id))!;
    expect(stored).toMatchObject({ status: 'escalated', team: 'dba on call', assignee: null });
    const lines = stored.handoffSummary!.split('\n');
    expect(lines[0]).toBe('Request: the requester reports something not working: "database outage on db-01"');
    expect(lines[1]).toBe('System: device db-01');
    expect(lines[2]).toBe('Urgency: high ("urgent", the requester sounds pressed)');
    expect(lines.at(-1)).toBe('Team: dba on call');
  });
});
