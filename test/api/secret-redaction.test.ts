// Secrets written into a ticket never come back out: not from REST, not from MCP ticket.show, not in the
// server-sent events, because intake stores the redacted description and step output is redacted too.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactValue } from '../../src/core/redaction.ts';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

const secrets = {
  password: 'Hunter2-Sup3rSecret',
  bearer: 'eyQ9vXbK27mLpTqRwZs41NcDaFgHjUo',
  postgres: 'pgPa55w0rd-orders',
  privateKey: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
};
const description = [
  'The orders app cannot log in to the database since the migration.',
  `I tried password=${secrets.password} and it still fails.`,
  `The API answers 401 with Authorization: Bearer ${secrets.bearer}`,
  `Connection string: postgres://orders:${secrets.postgres}@db.internal:5432/orders`,
  `Here is the deploy key:\n-----BEGIN RSA PRIVATE KEY-----\n${secrets.privateKey}\nabc123\n-----END RSA PRIVATE KEY-----`,
].join('\n');

function expectNoSecret(text: string): void {
  for (const [name, secret] of Object.entries(secrets)) expect(text, name).not.toContain(secret);
  expect(text).not.toContain('BEGIN RSA PRIVATE KEY');
}

let t: TestRuntime;
let base: string;
let client: Client | undefined;
let ticketId: string;

beforeAll(async () => {
  t = await startTestRuntime('pglite');
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    payload: { description, dryRun: true },
  });
  expect(response.statusCode).toBe(202);
  expectNoSecret(response.body);
  ticketId = response.json().ticket.id;
  await waitForTicket(t.app, ticketId);
});

afterAll(async () => {
  await client?.close().catch(() => {});
  await t?.close();
});

describe('secrets in a ticket', () => {
  it('are redacted at intake: REST returns the redacted description, flags it and audits how many went', async () => {
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}` })).body;
    expectNoSecret(detail);
    const parsed = JSON.parse(detail);
    expect(parsed.ticket.description).toContain('password=[REDACTED]');
    expect(parsed.ticket.description).toContain('postgres://***@db.internal:5432/orders');
    expect(parsed.ticket.analysis.flags).toContain('secrets_redacted');
    const audit = (
      await t.app.inject({ method: 'GET', url: `/api/v1/audit?ticketId=${ticketId}&action=ticket.redacted` })
    ).json();
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0].details.redacted).toBeGreaterThanOrEqual(4);
    expectNoSecret((await t.app.inject({ method: 'GET', url: '/api/v1/tickets' })).body);
  });

  it('do not come back through MCP ticket.show', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`));
    client = new Client({ name: 'twisterlab-test', version: '1.0.0' });
    await client.connect(transport);
    const shown = await client.callTool({ name: 'ticket.show', arguments: { ticket_id: ticketId } });
    expect(shown.isError).toBeFalsy();
    expectNoSecret(JSON.stringify(shown));
    expect(JSON.stringify(shown)).toContain('[REDACTED]');
  });

  it('do not come back in the server-sent events snapshot', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}/events` });
    expect(response.body).toMatch(/^event: snapshot\n/);
    expectNoSecret(response.body);
  });
});

describe('step output redaction', () => {
  it('removes secrets from every string of a nested output and leaves other values alone', () => {
    const output = {
      exit_code: 0,
      stdout: `DATABASE_URL=postgres://app:${secrets.postgres}@db/x\nTOKEN=${secrets.bearer}`,
      lines: [`password: ${secrets.password}`],
      ok: true,
    };
    const redacted = redactValue(output);
    expectNoSecret(JSON.stringify(redacted));
    expect(redacted).toMatchObject({ exit_code: 0, ok: true, lines: ['password: [REDACTED]'] });
  });
});
