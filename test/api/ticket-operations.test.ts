// REST routes and MCP tools for tickets, approvals and runbooks are made from one definition per operation: the
// same bad input is refused with the same words naming the same field (400 over REST, a VALIDATION_FAILED tool
// error over MCP, fields in camelCase and snake_case), and an answer outside the operation's output schema leaves
// neither surface.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinRunbooks } from '../../src/adapters/runbooks/runbook-files.ts';
import type { Runbook } from '../../src/core/runbooks/runbook.ts';
import { TICKET_LIMITS } from '../../src/core/ticket.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const KEYS = { ann: 'ann-operator-key-000001', ada: 'ada-admin-key-00000002' };
const headers = { 'x-api-key': KEYS.ann };
const NO_TICKET = '00000000-0000-4000-8000-000000000000';

// A runbook the file loader would have refused (its source is not a text), handed to the catalogue as it is: the
// catalogue's summary of it breaks the output schema. It needs a word no ticket here says, so nothing plans with it.
const builtin = loadBuiltinRunbooks();
const misfiled = {
  ...builtin.find((r) => r.id === 'hardware-facts')!,
  id: 'misfiled-facts',
  keywords: ['zzqx'],
  requireKeyword: true,
  source: 918273645,
} as unknown as Runbook;

let t: TestRuntime;
let client: Client;

beforeAll(async () => {
  t = await startTestRuntime(
    'postgres',
    { TWISTERLAB_API_KEYS: `ann:operator:${KEYS.ann},ada:admin:${KEYS.ada}` },
    { runbooks: [...builtin, misfiled] },
  );
  const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  client = new Client({ name: 'ticket-operations-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers } }));
});

afterAll(async () => {
  await client?.close();
  await t?.close();
});

async function rest(
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
): Promise<{ status: number; error: { code: string; message: string } }> {
  const response = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return {
    status: response.statusCode,
    error: (response.json() as { error: { code: string; message: string } }).error,
  };
}

async function mcp(name: string, args: Record<string, unknown>): Promise<{ code: string; message: string }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, name).toBe(true);
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error('a tool error carries text');
  return (JSON.parse(first.text) as { error: { code: string; message: string } }).error;
}

/** "invalid body: reason: must not be empty" → "reason: must not be empty". */
const issues = (message: string) => message.replace(/^invalid [^:]+: /, '');

describe('one definition per operation', () => {
  const cases: Array<{
    what: string;
    rest: [method: 'GET' | 'POST', url: string, payload?: object];
    tool: string;
    args: Record<string, unknown>;
    says: string;
  }> = [
    {
      what: 'an empty reason to run a ticket again',
      tool: 'ticket.rerun',
      says: 'reason: must not be empty',
      rest: ['POST', `/api/v1/tickets/${NO_TICKET}/rerun`, { reason: '   ' }],
      args: { ticket_id: NO_TICKET, reason: '   ' },
    },
    {
      what: 'a comment over the limit',
      tool: 'ticket.comment',
      says: `body: Too big: expected string to have <=${TICKET_LIMITS.comment} characters`,
      rest: ['POST', `/api/v1/tickets/${NO_TICKET}/comments`, { body: 'x'.repeat(TICKET_LIMITS.comment + 1) }],
      args: { ticket_id: NO_TICKET, body: 'x'.repeat(TICKET_LIMITS.comment + 1) },
    },
    {
      what: 'a page of no tickets',
      tool: 'ticket.list',
      says: 'limit: Too small: expected number to be >=1',
      rest: ['GET', '/api/v1/tickets?limit=0'],
      args: { limit: 0 },
    },
    {
      what: 'a deny without a reason (input is checked before the role: this key may not deny at all)',
      tool: 'ticket.deny',
      says: 'reason: must not be empty',
      rest: ['POST', `/api/v1/approvals/${NO_TICKET}/deny`, { reason: '' }],
      args: { approval_id: NO_TICKET, reason: '' },
    },
    {
      what: 'a blank text to dry-run a runbook for',
      tool: 'runbook.dry_run',
      says: 'description: Too small: expected string to have >=1 characters',
      rest: ['POST', '/api/v1/runbooks/disk-space/dry-run', { description: '   ' }],
      args: { runbook_id: 'disk-space', description: '   ' },
    },
    {
      what: 'a runbook parameter value over the limit',
      tool: 'runbook.dry_run',
      says: 'params.path: Too big: expected string to have <=1024 characters',
      rest: ['POST', '/api/v1/runbooks/disk-space/dry-run', { params: { path: 'x'.repeat(1025) } }],
      args: { runbook_id: 'disk-space', params: { path: 'x'.repeat(1025) } },
    },
    {
      what: 'an empty runbook category',
      tool: 'runbook.list',
      says: 'category: Too small: expected string to have >=1 characters',
      rest: ['GET', '/api/v1/runbooks?category='],
      args: { category: '' },
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.what} in the same words over REST (400) and MCP (tool error)`, async () => {
      const overRest = await rest(...c.rest);
      const overMcp = await mcp(c.tool, c.args);
      expect(overRest.status).toBe(400);
      expect(overRest.error.code).toBe('VALIDATION_FAILED');
      expect(overMcp.code).toBe('VALIDATION_FAILED');
      expect(issues(overRest.error.message)).toBe(c.says);
      expect(issues(overMcp.message)).toBe(c.says);
    });
  }

  it('names a nested field as each surface spells it, with the same rule behind it', async () => {
    const overRest = await rest('POST', '/api/v1/tickets', {
      description: 'the shop is down',
      context: { serviceName: 'x'.repeat(201) },
    });
    const overMcp = await mcp('ticket.submit', {
      description: 'the shop is down',
      context: { service_name: 'x'.repeat(201) },
    });
    expect(overRest.status).toBe(400);
    const rule = 'Too big: expected string to have <=200 characters';
    expect(issues(overRest.error.message)).toBe(`context.serviceName: ${rule}`);
    expect(issues(overMcp.message)).toBe(`context.service_name: ${rule}`);
    expect((await rest('GET', '/api/v1/tickets/not-a-ticket')).error.message).toMatch(
      /id: must be a ticket id \(UUID\)/,
    );
    expect((await mcp('ticket.show', { ticket_id: 'not-a-ticket' })).message).toMatch(
      /ticket_id: must be a ticket id \(UUID\)/,
    );
  });

  it("names a runbook dry run's id and nested context fields as each surface spells them", async () => {
    const rule = 'a runbook id is lower case letters, digits, "-" and "_"';
    expect(issues((await rest('POST', '/api/v1/runbooks/Disk!Space/dry-run', {})).error.message)).toBe(`id: ${rule}`);
    expect(issues((await mcp('runbook.dry_run', { runbook_id: 'Disk!Space' })).message)).toBe(`runbook_id: ${rule}`);
    const tooLong = 'Too big: expected string to have <=200 characters';
    const overRest = await rest('POST', '/api/v1/runbooks/service-restart/dry-run', {
      context: { serviceName: 'x'.repeat(201) },
    });
    expect(overRest.status).toBe(400);
    expect(issues(overRest.error.message)).toBe(`context.serviceName: ${tooLong}`);
    expect(
      issues(
        (await mcp('runbook.dry_run', { runbook_id: 'service-restart', context: { service_name: 'x'.repeat(201) } }))
          .message,
      ),
    ).toBe(`context.service_name: ${tooLong}`);
  });

  it('answers a runbook dry run with the same fields over both surfaces, and the same not-found error', async () => {
    const overRest = await t.app.inject({
      method: 'POST',
      url: '/api/v1/runbooks/disk-space/dry-run',
      headers,
      payload: { context: { deviceId: 'local' } },
    });
    expect(overRest.statusCode).toBe(200);
    const dry = (await client.callTool({
      name: 'runbook.dry_run',
      arguments: { runbook_id: 'disk-space', context: { device_id: 'local' } },
    })) as CallToolResult;
    expect(dry.isError).toBeFalsy();
    const restBody = overRest.json() as Record<string, unknown>;
    expect(Object.keys(dry.structuredContent!).sort()).toEqual(Object.keys(restBody).sort());
    expect(dry.structuredContent).toMatchObject({
      runbookId: 'disk-space',
      plannable: restBody.plannable,
      reason: restBody.reason,
    });
    const missingRest = await rest('POST', '/api/v1/runbooks/no-such-runbook/dry-run', {});
    const missingMcp = await mcp('runbook.dry_run', { runbook_id: 'no-such-runbook' });
    expect(missingRest.status).toBe(404);
    expect(missingMcp).toMatchObject({ code: missingRest.error.code, message: missingRest.error.message });
  });

  it('refuses over both surfaces an answer that breaks the output schema (a row written outside the application)', async () => {
    const submitted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers,
      payload: { description: 'the printer on floor 2 jams', dryRun: true },
    });
    expect(submitted.statusCode).toBe(202);
    const id = (submitted.json() as { ticket: { id: string } }).ticket.id;
    const shown = (await client.callTool({ name: 'ticket.show', arguments: { ticket_id: id } })) as CallToolResult;
    expect(shown.isError).toBeFalsy();
    // The ticket resource is the same detail (the ticket may have moved on between the two reads).
    type Detail = { ticket: Record<string, unknown> } & Record<string, unknown>;
    const resource = JSON.parse(
      ((await client.readResource({ uri: `ticket://${id}` })).contents[0] as { text: string }).text,
    ) as Detail;
    const structured = shown.structuredContent as Detail;
    expect(resource.ticket.id).toBe(id);
    expect(Object.keys(resource).sort()).toEqual(Object.keys(structured).sort());
    expect(Object.keys(resource.ticket).sort()).toEqual(Object.keys(structured.ticket).sort());
    // A service name is a string; this row says otherwise. The number is one a request id will not hold by chance
    // (a UUID often contains "42", which once made this check fail).
    const admin = new pg.Client({ connectionString: t.config.databaseUrl });
    await admin.connect();
    try {
      await admin.query(`update tickets set context = '{"serviceName": 918273645}'::jsonb where id = $1`, [id]);
    } finally {
      await admin.end();
    }
    const overMcp = await mcp('ticket.show', { ticket_id: id });
    expect(overMcp.code).toBe('INTERNAL');
    expect(overMcp.message).not.toMatch(/serviceName|918273645/);
    // The ticket resource is checked against the same schema.
    const read = await client.readResource({ uri: `ticket://${id}` }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    expect(read).toMatch(/internal error \(request id [0-9a-f-]{36}\)/);
    expect(read).not.toMatch(/serviceName|918273645/);
    const overRest = await rest('GET', `/api/v1/tickets/${id}`);
    expect(overRest.status).toBe(500);
    expect(overRest.error.code).toBe('INTERNAL');
  });

  it('refuses over both surfaces a runbook list whose summary breaks the output schema, and answers the lists that do not hold it', async () => {
    const overMcp = await mcp('runbook.list', {});
    expect(overMcp.code).toBe('INTERNAL');
    expect(overMcp.message).not.toMatch(/misfiled|source|918273645/);
    const overRest = await rest('GET', '/api/v1/runbooks');
    expect(overRest.status).toBe(500);
    expect(overRest.error.code).toBe('INTERNAL');
    const storage = (await client.callTool({
      name: 'runbook.list',
      arguments: { category: 'storage' },
    })) as CallToolResult;
    expect(storage.isError).toBeFalsy();
    expect((storage.structuredContent as { items: Array<{ id: string }> }).items.map((r) => r.id)).toContain(
      'disk-space',
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/runbooks?category=storage', headers })).statusCode).toBe(
      200,
    );
  });
});
