// A ticket about a service that is fine: diagnosis finds nothing, the ticket says so (no_fault_found, with what
// was checked) and changes nothing; the requester confirms (→ resolved) or reopens (→ escalated) over REST, MCP
// and the CLI, and one nobody answers goes to a human after its time.
import { createServer, type Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.ts';
import { formatTicketDetail } from '../../src/cli/format.ts';
import { answerCommand } from '../../src/cli/ticket-commands.ts';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import { freePort } from '../helpers/redis-server.ts';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

const KEYS = { ann: 'ann-operator-key-000001', vic: 'vic-viewer-key-0000002', ops: 'ops-operator-key-00003' };
const as = (key: string) => ({ 'x-api-key': key });

let t: TestRuntime;
let server: Server;
let hits = 0;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  server = createServer((_req, res) => {
    hits += 1;
    res.end('ok');
  }).listen(port, '127.0.0.1');
  t = await startTestRuntime('pglite', {
    TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${port}/health`,
    TWISTERLAB_API_KEYS: `ann:operator:${KEYS.ann},vic:viewer:${KEYS.vic},ops:operator:${KEYS.ops}`,
  });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  server?.close();
  await t?.close();
});

async function reportFine(key = KEYS.ann): Promise<TicketDetail> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: as(key),
    payload: { description: 'the shop looked weird to me this morning, can someone have a look?' },
  });
  expect(response.statusCode).toBe(202);
  return waitForTicket(t.app, (response.json() as { ticket: { id: string } }).ticket.id, 30_000, as(key));
}

describe('no fault found', () => {
  it('says what was checked, changes nothing, and waits for the requester', { timeout: 120_000 }, async () => {
    const before = hits;
    const detail = await reportFine();
    expect(detail.ticket.status).toBe('no_fault_found');
    expect(detail.ticket.outcome).toBe('no_fault_found');
    expect(detail.ticket.findings).toEqual([]);
    expect(detail.ticket.resolutionNote).toMatch(
      /^No fault found\. Checked: the service does not answer: not found \(monitoring\.check_service_health: healthy eq false \(was true\)/,
    );
    expect(detail.steps.map((s) => s.phase)).toEqual(detail.steps.map(() => 'diagnose'));
    expect(hits).toBeGreaterThan(before);
    expect(detail.audit.filter((a) => a.action === 'ticket.status_changed').map((a) => a.toStatus)).toEqual([
      'triaged',
      'diagnosing',
      'no_fault_found',
    ]);
  });

  it('is resolved when its requester confirms, once; a viewer who did not file it may not answer for it', async () => {
    const { ticket } = await reportFine();
    const stranger = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/confirm`,
      headers: as(KEYS.vic),
      payload: {},
    });
    expect(stranger.statusCode).toBe(403);
    expect((stranger.json() as { error: { message: string } }).error.message).toMatch(
      /only the requester \(ann\) or an operator/,
    );
    const confirmed = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/confirm`,
      headers: as(KEYS.ann),
      payload: { note: 'looks fine now' },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({
      ticket: {
        status: 'resolved',
        outcome: 'confirmed_no_fault',
        resolutionNote: expect.stringMatching(/^Confirmed by ann, nothing to fix: looks fine now\. No fault found/),
      },
    });
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/confirm`,
      headers: as(KEYS.ann),
      payload: {},
    });
    expect(again.statusCode).toBe(409);
  });

  it('goes to a human with what was found when its requester reopens it, with a reason', async () => {
    const { ticket } = await reportFine();
    const missing = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/reopen`,
      headers: as(KEYS.ann),
      payload: {},
    });
    expect(missing.statusCode).toBe(400);
    const reopened = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/reopen`,
      headers: as(KEYS.ann),
      payload: { reason: 'the checkout still shows a blank page' },
    });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json()).toMatchObject({
      ticket: {
        status: 'escalated',
        outcome: 'reopened',
        escalationReason: expect.stringMatching(
          /^Reopened by ann: the checkout still shows a blank page\. Before: No fault found\. Checked: /,
        ),
      },
    });
    const detail = await waitForTicket(t.app, ticket.id, 5_000, as(KEYS.ann));
    expect(detail.audit.at(-1)).toMatchObject({
      actor: 'ann',
      action: 'ticket.status_changed',
      fromStatus: 'no_fault_found',
      toStatus: 'escalated',
    });
    // The person who takes it reads the request, the system, what is left and which team, in plain words.
    const summary = detail.ticket.handoffSummary ?? '';
    expect(summary).toMatch(/^Request: the requester .*: "the shop looked weird to me this morning/);
    expect(summary).toMatch(/^System: our service shop$/m);
    expect(summary).toMatch(
      /^Left to do: ann says it is still not right \("the checkout still shows a blank page"\) although no fault was found: look at it again with them$/m,
    );
    expect(detail.ticket.team).toBeTruthy();
    expect(summary).toMatch(new RegExp(`\nTeam: ${detail.ticket.team}$`));
    // The CLI's `ticket show` prints it under its own heading, after the technical reason.
    const shown = formatTicketDetail(detail);
    expect(shown).toContain(`handoff\n  Request: the requester`);
    expect(shown).toContain(`  Team: ${detail.ticket.team}`);
    expect(shown).toMatch(/^team {6}\S/m);
    // MCP's ticket.show carries it and the team.
    const client = new Client({ name: 'handoff-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: as(KEYS.ann) } }),
    );
    try {
      const result = (await client.callTool({
        name: 'ticket.show',
        arguments: { ticket_id: ticket.id },
      })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ ticket: { team: detail.ticket.team, handoffSummary: summary } });
    } finally {
      await client.close();
    }
  });

  it('is answered through MCP with the SDK client and through the CLI', async () => {
    const first = await reportFine();
    const second = await reportFine();
    const client = new Client({ name: 'no-fault-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: as(KEYS.ann) } }),
    );
    try {
      const result = (await client.callTool({
        name: 'ticket.confirm',
        arguments: { ticket_id: first.ticket.id },
      })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ status: 'resolved', outcome: 'confirmed_no_fault' });
      const wrong = (await client.callTool({
        name: 'ticket.reopen',
        arguments: { ticket_id: second.ticket.id },
      })) as CallToolResult;
      expect(wrong.isError).toBe(true);
    } finally {
      await client.close();
    }
    const lines: string[] = [];
    const api = new ApiClient({ baseUrl: base, apiKeyHeader: 'x-api-key', apiKey: KEYS.ops });
    expect(
      await answerCommand(api, 'reopen', second.ticket.id, 'still broken for me', false, {
        write: (l) => lines.push(l),
      }),
    ).toBe(0);
    expect(lines.join('\n')).toMatch(/^status {4}escalated \(reopened\)\n {10}Reopened by ops: still broken for me\./);
  });
});

describe('a no-fault-found ticket nobody answers', () => {
  it('goes to a human after TWISTERLAB_NO_FAULT_TTL_MS', async () => {
    const port = await freePort();
    const quiet = createServer((_req, res) => res.end('ok')).listen(port, '127.0.0.1');
    const rt = await startTestRuntime('pglite', {
      TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${port}/health`,
      TWISTERLAB_NO_FAULT_TTL_MS: '1000',
    });
    try {
      const response = await rt.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        payload: { description: 'is the shop ok? it felt odd earlier' },
      });
      const id = (response.json() as { ticket: { id: string } }).ticket.id;
      expect((await waitForTicket(rt.app, id, 30_000)).ticket.status).toBe('no_fault_found');
      for (;;) {
        const detail = (await rt.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}` })).json() as TicketDetail;
        if (detail.ticket.status !== 'no_fault_found') {
          expect(detail.ticket).toMatchObject({
            status: 'escalated',
            escalationReason: expect.stringMatching(
              /^No fault was found and local did not confirm or reopen within 0 h; a human should close it\./,
            ),
          });
          expect(detail.ticket.handoffSummary).toMatch(/^Request: the requester .*: "is the shop ok\?/);
          // What diagnosis checked before it found nothing is still told.
          expect(detail.ticket.handoffSummary).toMatch(/^Checked: (?!no automatic check).+$/m);
          expect(detail.ticket.handoffSummary).toMatch(
            /^Left to do: no fault was found and local did not say whether it is solved: ask them, then close the ticket or look again$/m,
          );
          expect(detail.ticket.handoffSummary).toMatch(new RegExp(`\nTeam: ${detail.ticket.team}$`));
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      quiet.close();
      await rt.close();
    }
  }, 180_000);
});
