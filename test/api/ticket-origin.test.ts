// Where a ticket came from travels with it: title, external id, reporter, labels and callback URL given at
// intake come back from REST, MCP and the CLI; an open ticket's external id is not opened twice; secrets in a
// title are redacted like the description's; bad values are refused naming the field.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.ts';
import { showCommand } from '../../src/cli/ticket-commands.ts';
import type { Ticket } from '../../src/core/ticket-repository.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

let t: TestRuntime;
let base: string;

beforeAll(async () => {
  // A dry run keeps the loop from touching anything: these tests are about what the ticket carries.
  t = await startTestRuntime('pglite');
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await t?.close();
});

const submit = (payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/v1/tickets', payload: { dryRun: true, ...payload } });

describe('ticket origin fields', () => {
  it('are stored as given and shown by REST, the list filters, MCP and the CLI', async () => {
    const created = await submit({
      description: 'the payroll export has been stuck since this morning',
      title: 'Payroll export stuck',
      externalId: 'ZAM-1001',
      reporter: 'maria@example.org',
      labels: ['payroll', 'finance'],
      callbackUrl: 'https://helpdesk.example.org/api/callback/1001',
    });
    expect(created.statusCode).toBe(202);
    const ticket = (created.json() as { ticket: Ticket }).ticket;
    expect(ticket).toMatchObject({
      source: 'api',
      title: 'Payroll export stuck',
      externalId: 'ZAM-1001',
      reporter: 'maria@example.org',
      labels: ['payroll', 'finance'],
      assignee: null,
      resolvedAt: null,
      resolvedBy: null,
      callbackUrl: 'https://helpdesk.example.org/api/callback/1001',
    });
    const read = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.id}` })).json();
    expect(read.ticket).toMatchObject({ title: 'Payroll export stuck', labels: ['payroll', 'finance'] });
    expect(read.comments).toEqual([]);

    const byLabel = (await t.app.inject({ method: 'GET', url: '/api/v1/tickets?label=finance' })).json();
    expect(byLabel.items.map((i: Ticket) => i.id)).toEqual([ticket.id]);
    const byExternal = (
      await t.app.inject({ method: 'GET', url: '/api/v1/tickets?externalId=ZAM-1001&source=api' })
    ).json();
    expect(byExternal.total).toBe(1);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tickets?label=nothing-has-this' })).json().total).toBe(0);

    const client = new Client({ name: 'origin-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    try {
      const shown = (await client.callTool({
        name: 'ticket.show',
        arguments: { ticket_id: ticket.id },
      })) as CallToolResult;
      expect(shown.isError).toBeFalsy();
      expect(shown.structuredContent).toMatchObject({
        ticket: { externalId: 'ZAM-1001', reporter: 'maria@example.org' },
        comments: [],
      });
      const made = (await client.callTool({
        name: 'ticket.submit',
        arguments: {
          description: 'the vpn drops every ten minutes',
          dry_run: true,
          title: 'VPN drops',
          labels: ['network'],
          external_id: 'GLPI-77',
        },
      })) as CallToolResult;
      expect(made.isError).toBeFalsy();
      expect(made.structuredContent).toMatchObject({
        created: true,
        ticket: { source: 'mcp', title: 'VPN drops', labels: ['network'], externalId: 'GLPI-77' },
      });
      const listed = (await client.callTool({
        name: 'ticket.list',
        arguments: { label: 'network' },
      })) as CallToolResult;
      expect(listed.structuredContent).toMatchObject({ total: 1 });
    } finally {
      await client.close();
    }

    const lines: string[] = [];
    await showCommand(new ApiClient({ baseUrl: base, apiKeyHeader: 'x-api-key' }), ticket.id, false, {
      write: (l) => lines.push(l),
    });
    const shown = lines.join('\n');
    expect(shown).toContain('title     Payroll export stuck');
    expect(shown).toContain('from      external id ZAM-1001, reported by maria@example.org');
    expect(shown).toContain('labels    payroll, finance');
  });

  it('does not open a second ticket for an external id an open ticket of the same source holds', async () => {
    const first = await submit({ description: 'printer on floor 2 jams', externalId: 'OST-5' });
    const again = await submit({ description: 'printer on floor 2 jams again, please hurry', externalId: 'OST-5' });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(200);
    expect(again.json().ticket.id).toBe(first.json().ticket.id);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tickets?externalId=OST-5' })).json().total).toBe(1);
  });

  it('redacts a secret written in a title, and counts it', async () => {
    const secret = 'Hunter2-Sup3rSecret';
    const response = await submit({
      description: 'the login page loops',
      title: `login fails with password=${secret}`,
    });
    const ticket = response.json().ticket as Ticket;
    expect(ticket.title).not.toContain(secret);
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.id}` })).json();
    expect(JSON.stringify(detail)).not.toContain(secret);
    expect(detail.audit.find((a: { action: string }) => a.action === 'ticket.redacted')).toMatchObject({
      details: { redacted: 1 },
    });
  });

  it('refuses a callback URL that is not http(s), an oversized title and too many labels, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ callbackUrl: 'file:///etc/passwd' }, /callbackUrl/],
      [{ callbackUrl: 'gopher://example.org/1' }, /callbackUrl/],
      [{ title: 'x'.repeat(301) }, /title/],
      [{ labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }, /labels/],
      [{ labels: [''] }, /labels/],
    ];
    for (const [extra, field] of cases) {
      const response = await submit({ description: 'something is off with the mail relay', ...extra });
      expect(response.statusCode, JSON.stringify(extra).slice(0, 80)).toBe(400);
      expect(response.json().error.message).toMatch(field);
    }
  });
});
