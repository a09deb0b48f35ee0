// Every ticket goes through intake, whichever door it comes in by: POST /orchestrate, JSON dispatch of
// maestro.orchestrate and the MCP tool redact secrets before storing, honour an idempotency key, and are
// refused while the process is shutting down, like POST /api/v1/tickets and ticket.submit.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const secret = 'Hunter2-Sup3rSecret';
const bearer = 'eyQ9vXbK27mLpTqRwZs41NcDaFgHjUo';
const task = `The disk on this host is full. I logged in with password=${secret}; the API says Authorization: Bearer ${bearer}`;

let t: TestRuntime;
let client: Client;

async function storedTicket(id: string) {
  const ticket = await t.runtime.opened.store.get(id);
  if (!ticket) throw new Error(`ticket ${id} was not stored`);
  return ticket;
}

async function ticketCount(): Promise<number> {
  return (await t.runtime.opened.store.list({ limit: 1, offset: 0 })).total;
}

function toolError(result: CallToolResult): { code: string; message: string } {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error('a tool error carries text');
  return (JSON.parse(first.text) as { error: { code: string; message: string } }).error;
}

beforeAll(async () => {
  t = await startTestRuntime('pglite');
  const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  client = new Client({ name: 'twisterlab-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
});

afterAll(async () => {
  await client?.close().catch(() => {});
  await t?.close();
});

describe('tickets made by orchestrate', () => {
  it('are stored with their secrets redacted and the redaction audited, through POST /orchestrate', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/orchestrate', payload: { task, dry_run: true } });
    expect(response.statusCode).toBe(200);
    const ticket = await storedTicket(response.json().ticket.id);
    expect(ticket).toMatchObject({ source: 'orchestrate', dryRun: true });
    expect(ticket.description).not.toContain(secret);
    expect(ticket.description).not.toContain(bearer);
    expect(ticket.description).toContain('password=[REDACTED]');
    const audit = await t.runtime.opened.store.listAudit({ ticketId: ticket.id, action: 'ticket.redacted', limit: 5 });
    expect(audit).toHaveLength(1);
  });

  it('are stored with their secrets redacted through JSON dispatch and the MCP maestro.orchestrate tool', async () => {
    const dispatched = await t.app.inject({
      method: 'POST',
      url: '/api/v1/mcp/maestro.orchestrate',
      payload: { task, dry_run: true },
    });
    expect(dispatched.statusCode).toBe(200);
    const viaMcp = (await client.callTool({
      name: 'maestro.orchestrate',
      arguments: { task, dry_run: true },
    })) as CallToolResult;
    expect(viaMcp.isError).toBeFalsy();
    for (const id of [
      dispatched.json().output.ticket.id,
      (viaMcp.structuredContent as { ticket: { id: string } }).ticket.id,
    ]) {
      const ticket = await storedTicket(id);
      expect(ticket.description).not.toContain(secret);
      expect(ticket.description).toContain('password=[REDACTED]');
    }
  });

  it('replay the first answer for a repeated Idempotency-Key on POST /orchestrate, without a second ticket or run', async () => {
    const payload = { task: 'The disk on this host is full again', dry_run: true };
    const headers = { 'idempotency-key': 'orchestrate-disk-1' };
    const first = await t.app.inject({ method: 'POST', url: '/orchestrate', headers, payload });
    expect(first.statusCode).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const before = await ticketCount();
    const again = await t.app.inject({ method: 'POST', url: '/orchestrate', headers, payload });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toMatchObject({
      replayed: true,
      ticket: { id: first.json().ticket.id, status: first.json().ticket.status },
    });
    expect(again.json().plan).toEqual(first.json().plan);
    expect(await ticketCount()).toBe(before);
    const detail = await t.runtime.opened.store.getDetail(first.json().ticket.id);
    expect(detail?.executions).toHaveLength(1);
  });

  it('refuse an Idempotency-Key reused with a different task (409) and an empty key (400)', async () => {
    const headers = { 'idempotency-key': 'orchestrate-disk-2' };
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/orchestrate',
          headers,
          payload: { task: 'The disk is full', dry_run: true },
        })
      ).statusCode,
    ).toBe(200);
    const conflict = await t.app.inject({
      method: 'POST',
      url: '/orchestrate',
      headers,
      payload: { task: 'The printer is jammed', dry_run: true },
    });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
    const empty = await t.app.inject({
      method: 'POST',
      url: '/orchestrate',
      headers: { 'idempotency-key': '' },
      payload: { task: 'The disk is full', dry_run: true },
    });
    expect(empty.statusCode).toBe(400);
  });

  it('replay through the MCP idempotency_key argument as well', async () => {
    const args = {
      task: 'The disk on this host is full once more',
      dry_run: true,
      idempotency_key: 'mcp-orchestrate-1',
    };
    const first = (await client.callTool({ name: 'maestro.orchestrate', arguments: args })).structuredContent as {
      ticket: { id: string };
      replayed: boolean;
    };
    const again = (await client.callTool({ name: 'maestro.orchestrate', arguments: args })).structuredContent as {
      ticket: { id: string };
      replayed: boolean;
    };
    expect(first.replayed).toBe(false);
    expect(again).toMatchObject({ replayed: true, ticket: { id: first.ticket.id } });
  });
});

describe('while shutting down', () => {
  it('every door that creates a ticket refuses with SHUTTING_DOWN (503 with Retry-After) and stores nothing', async () => {
    t.runtime.stopAccepting();
    const before = await ticketCount();
    const doors = [
      { url: '/api/v1/tickets', payload: { description: 'The disk is full' } },
      { url: '/orchestrate', payload: { task: 'The disk is full' } },
      { url: '/api/v1/mcp/maestro.orchestrate', payload: { task: 'The disk is full' } },
    ];
    for (const door of doors) {
      const response = await t.app.inject({ method: 'POST', ...door });
      expect(response.statusCode, door.url).toBe(503);
      expect(response.json().error.code, door.url).toBe('SHUTTING_DOWN');
      expect(response.headers['retry-after'], door.url).toBeDefined();
    }
    expect(
      toolError(
        (await client.callTool({
          name: 'ticket.submit',
          arguments: { description: 'The disk is full' },
        })) as CallToolResult,
      ).code,
    ).toBe('SHUTTING_DOWN');
    expect(
      toolError(
        (await client.callTool({
          name: 'maestro.orchestrate',
          arguments: { task: 'The disk is full' },
        })) as CallToolResult,
      ).code,
    ).toBe('SHUTTING_DOWN');
    expect(await ticketCount()).toBe(before);
  });
});
