// A person takes over: assign, comment, resolve with a note (a human resolution, not an autonomous one), run a
// ticket again, and reopen it to someone — over REST with roles, audit rows and events, over MCP with the SDK
// client, and through the CLI's command functions against a real port.
import { createServer, type Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.ts';
import { assignCommand, commentsCommand, humanMoveCommand } from '../../src/cli/handoff-commands.ts';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import { freePort } from '../helpers/redis-server.ts';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

const KEYS = {
  ann: 'ann-operator-key-000001',
  vic: 'vic-viewer-key-0000002',
  val: 'val-viewer-key-0000003',
  ops: 'ops-operator-key-00004',
};
const as = (key: string) => ({ 'x-api-key': key });

let t: TestRuntime;
let shop: Server;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  shop = createServer((_req, res) => res.end('ok')).listen(port, '127.0.0.1');
  t = await startTestRuntime('pglite', {
    TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${port}/health`,
    TWISTERLAB_API_KEYS: `ann:operator:${KEYS.ann},vic:viewer:${KEYS.vic},val:viewer:${KEYS.val},ops:operator:${KEYS.ops}`,
  });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  shop?.close();
  await t?.close();
});

const post = (url: string, key: string, payload: object) =>
  t.app.inject({ method: 'POST', url, headers: as(key), payload });
const detailOf = async (id: string) =>
  (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}`, headers: as(KEYS.vic) })).json() as TicketDetail;

/** A ticket nothing in the catalogue fits: the loop hands it to a person (escalated). */
async function escalatedTicket(key = KEYS.ann): Promise<string> {
  const response = await post('/api/v1/tickets', key, {
    description: 'the coffee machine on the third floor makes a strange noise',
  });
  expect(response.statusCode).toBe(202);
  const detail = await waitForTicket(t.app, response.json().ticket.id, 30_000, as(key));
  expect(detail.ticket.status).toBe('escalated');
  return detail.ticket.id;
}

/** A ticket about a service that answers: diagnosis finds nothing (no_fault_found). */
async function fineTicket(): Promise<string> {
  const response = await post('/api/v1/tickets', KEYS.ann, {
    description: 'the shop felt slow to me this morning, can someone look?',
  });
  const detail = await waitForTicket(t.app, response.json().ticket.id, 30_000, as(KEYS.ann));
  expect(detail.ticket.status).toBe('no_fault_found');
  return detail.ticket.id;
}

describe('human handoff over REST', () => {
  it('assigns a ticket (operator only), with an audit row naming both people', async () => {
    const id = await escalatedTicket();
    const viewer = await post(`/api/v1/tickets/${id}/assign`, KEYS.vic, { assignee: 'vic' });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().error.message).toMatch(/needs the operator role/);
    const assigned = await post(`/api/v1/tickets/${id}/assign`, KEYS.ann, { assignee: 'sam.network' });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json().ticket).toMatchObject({ assignee: 'sam.network', status: 'escalated' });
    const back = await post(`/api/v1/tickets/${id}/assign`, KEYS.ann, { assignee: null });
    expect(back.json().ticket.assignee).toBeNull();
    const audit = (await detailOf(id)).audit.filter((a) => a.action === 'ticket.assigned');
    expect(audit.map((a) => [a.actor, a.details])).toEqual([
      ['ann', { from: null, to: 'sam.network' }],
      ['ann', { from: 'sam.network', to: null }],
    ]);
    const list = (
      await t.app.inject({ method: 'GET', url: '/api/v1/tickets?assignee=sam.network', headers: as(KEYS.vic) })
    ).json();
    expect(list.total).toBe(0);
  });

  it('takes comments from the requester and operators, not from other viewers, and lists them oldest first', async () => {
    const id = await escalatedTicket(KEYS.ann);
    const stranger = await post(`/api/v1/tickets/${id}/comments`, KEYS.val, { body: 'me too' });
    expect(stranger.statusCode).toBe(403);
    expect(stranger.json().error.message).toMatch(/only the requester \(ann\) or an operator may comment/);
    expect((await post(`/api/v1/tickets/${id}/comments`, KEYS.ann, { body: '   ' })).statusCode).toBe(400);
    const mine = await post(`/api/v1/tickets/${id}/comments`, KEYS.ann, {
      body: 'it started after the cleaning crew moved it',
    });
    expect(mine.statusCode).toBe(201);
    expect(mine.json().comment).toMatchObject({
      author: 'ann',
      source: 'api',
      body: 'it started after the cleaning crew moved it',
    });
    await post(`/api/v1/tickets/${id}/comments`, KEYS.ops, {
      body: 'facilities will look at it; the token was password=Hunter2-Sup3rSecret',
    });
    const listed = (
      await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}/comments`, headers: as(KEYS.val) })
    ).json();
    expect(listed.items.map((c: { author: string }) => c.author)).toEqual(['ann', 'ops']);
    expect(JSON.stringify(listed)).not.toContain('Hunter2-Sup3rSecret');
    const detail = await detailOf(id);
    expect(detail.comments).toHaveLength(2);
    expect(detail.audit.filter((a) => a.action === 'ticket.commented').map((a) => a.actor)).toEqual(['ann', 'ops']);
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tickets/018f0000-0000-7000-8000-000000000000/comments',
      headers: as(KEYS.vic),
    });
    expect(missing.statusCode).toBe(404);
  });

  it('resolves with a note as a human resolution: who and when are recorded, the metrics count it as by a human', async () => {
    const id = await escalatedTicket();
    expect((await post(`/api/v1/tickets/${id}/resolve`, KEYS.vic, { note: 'done' })).statusCode).toBe(403);
    expect((await post(`/api/v1/tickets/${id}/resolve`, KEYS.ann, {})).statusCode).toBe(400);
    const before = Date.now();
    const resolved = await post(`/api/v1/tickets/${id}/resolve`, KEYS.ann, { note: 'facilities replaced the grinder' });
    expect(resolved.statusCode).toBe(200);
    const ticket = resolved.json().ticket;
    expect(ticket).toMatchObject({
      status: 'resolved',
      outcome: 'closed_by_human',
      resolvedBy: 'ann',
      resolutionNote: 'Resolved by ann: facilities replaced the grinder',
    });
    expect(Date.parse(ticket.resolvedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect((await post(`/api/v1/tickets/${id}/resolve`, KEYS.ann, { note: 'again' })).statusCode).toBe(409);
    const last = (await detailOf(id)).audit.at(-1)!;
    expect(last).toMatchObject({
      actor: 'ann',
      action: 'ticket.status_changed',
      fromStatus: 'escalated',
      toStatus: 'resolved',
    });
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/twisterlab_ticket_outcomes_total\{outcome="resolved_by_human"\} [1-9]/);
  });

  it('runs a ticket again from no_fault_found: a second diagnosis, and resolvedAt cleared when a resolved one is rerun', async () => {
    const id = await fineTicket();
    const refused = await post(`/api/v1/tickets/${id}/rerun`, KEYS.vic, { reason: 'config fixed' });
    expect(refused.statusCode).toBe(403);
    const rerun = await post(`/api/v1/tickets/${id}/rerun`, KEYS.ann, { reason: 'the shop config was corrected' });
    expect(rerun.statusCode).toBe(202);
    expect(rerun.json().ticket).toMatchObject({ status: 'new', outcome: null });
    const again = await waitForTicket(t.app, id, 30_000, as(KEYS.ann));
    expect(again.ticket.status).toBe('no_fault_found');
    expect(again.executions.filter((e) => e.plan.stage === 'diagnosis')).toHaveLength(2);
    const moves = again.audit.filter((a) => a.action === 'ticket.status_changed').map((a) => a.toStatus);
    expect(moves).toEqual([
      'triaged',
      'diagnosing',
      'no_fault_found',
      'new',
      'triaged',
      'diagnosing',
      'no_fault_found',
    ]);
    // A resolved ticket rerun is no longer resolved: when and by whom are cleared.
    await post(`/api/v1/tickets/${id}/confirm`, KEYS.ann, {});
    const rerunResolved = await post(`/api/v1/tickets/${id}/rerun`, KEYS.ann, { reason: 'it came back' });
    expect(rerunResolved.json().ticket).toMatchObject({ status: 'new', resolvedAt: null, resolvedBy: null });
    await waitForTicket(t.app, id, 30_000, as(KEYS.ann));
  });

  it('refuses to rerun a ticket that is still being planned, and reopens to a named person', async () => {
    const dry = (await post('/api/v1/tickets', KEYS.ann, { description: 'the shop is slow', dryRun: true })).json()
      .ticket.id as string;
    const planned = await waitForTicket(t.app, dry, 30_000, as(KEYS.ann));
    const refused = await post(`/api/v1/tickets/${dry}/rerun`, KEYS.ann, { reason: 'try again' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(
      new RegExp(`is ${planned.ticket.status}: only an escalated, no-fault-found or resolved ticket is run again`),
    );

    const id = await fineTicket();
    const byViewer = await post(`/api/v1/tickets/${id}/reopen`, KEYS.vic, { reason: 'still slow', assignee: 'vic' });
    expect(byViewer.statusCode).toBe(403);
    const reopened = await post(`/api/v1/tickets/${id}/reopen`, KEYS.ann, {
      reason: 'still slow for customers',
      assignee: 'sam.web',
    });
    expect(reopened.json().ticket).toMatchObject({ status: 'escalated', outcome: 'reopened', assignee: 'sam.web' });
  });
});

describe('human handoff over MCP and the CLI', () => {
  it('assigns, comments and resolves with the SDK client, and through the CLI commands', async () => {
    const first = await escalatedTicket();
    const second = await escalatedTicket();
    const client = new Client({ name: 'handoff-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: as(KEYS.ann) } }),
    );
    try {
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      expect(tools).toEqual(
        expect.arrayContaining([
          'ticket.assign',
          'ticket.comment',
          'ticket.comments',
          'ticket.resolve',
          'ticket.rerun',
        ]),
      );
      const assigned = (await client.callTool({
        name: 'ticket.assign',
        arguments: { ticket_id: first, assignee: 'kim' },
      })) as CallToolResult;
      expect(assigned.structuredContent).toMatchObject({ assignee: 'kim' });
      const commented = (await client.callTool({
        name: 'ticket.comment',
        arguments: { ticket_id: first, body: 'looking into it' },
      })) as CallToolResult;
      expect(commented.structuredContent).toMatchObject({ author: 'ann', source: 'mcp' });
      const resolved = (await client.callTool({
        name: 'ticket.resolve',
        arguments: { ticket_id: first, note: 'descaled the machine' },
      })) as CallToolResult;
      expect(resolved.structuredContent).toMatchObject({
        status: 'resolved',
        resolvedBy: 'ann',
        outcome: 'closed_by_human',
      });
      const wrong = (await client.callTool({
        name: 'ticket.rerun',
        arguments: { ticket_id: first },
      })) as CallToolResult;
      expect(wrong.isError).toBe(true);
    } finally {
      await client.close();
    }
    const viewerMcp = new Client({ name: 'handoff-viewer', version: '1.0.0' });
    await viewerMcp.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: as(KEYS.val) } }),
    );
    try {
      const denied = (await viewerMcp.callTool({
        name: 'ticket.resolve',
        arguments: { ticket_id: second, note: 'x' },
      })) as CallToolResult;
      expect(denied.isError).toBe(true);
    } finally {
      await viewerMcp.close();
    }

    const lines: string[] = [];
    const out = { write: (l: string) => lines.push(l) };
    const api = new ApiClient({ baseUrl: base, apiKeyHeader: 'x-api-key', apiKey: KEYS.ann });
    expect(await assignCommand(api, second, 'lee', false, out)).toBe(0);
    expect(await humanMoveCommand(api, 'resolve', second, 'moved to the kitchen', false, out)).toBe(0);
    expect(await commentsCommand(api, first, false, out)).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain(`ticket    ${second}  assigned to lee`);
    expect(text).toMatch(/status {4}resolved \(closed_by_human\)\n {10}Resolved by ann: moved to the kitchen/);
    expect(text).toMatch(/ann \(mcp\)\n {2}looking into it\n1 comments/);
  });
});
