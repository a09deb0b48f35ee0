// Approvals over MCP go through the same service as REST: the requester is refused, an operator cannot call
// ticket.approve, an admin's approval runs the step once, and ticket.deny escalates with the reason.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/core/access.ts';
import type { Approval } from '../../src/core/approval.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';
import { corruptCache, createTestOpsAgent, sideEffectLines, wipeRunbook } from './approval-fixtures.ts';

let rt: TestRuntime;
let file: string;
const clients: Client[] = [];

async function clientAs(caller: Caller): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await rt.runtime.mcp.serverFor(caller).connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

const errorOf = (result: CallToolResult) =>
  (JSON.parse((result.content[0] as { text: string }).text) as { error: { code: string; message: string } }).error;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function submitAndWait(requester: Client): Promise<{ ticketId: string; approval: Approval }> {
  corruptCache(file);
  const submitted = await call(requester, 'ticket.submit', {
    description: 'The application cache on this server is corrupt, please wipe the cache',
  });
  const ticketId = (submitted.structuredContent as { ticket: { id: string } }).ticket.id;
  const approvals = await until(
    async () =>
      (
        (await call(requester, 'ticket.approvals', { ticket_id: ticketId, status: 'pending' })).structuredContent as {
          items: Approval[];
        }
      ).items,
    (items) => items.length > 0,
  );
  return { ticketId, approval: approvals[0]! };
}

const statusOf = async (ticketId: string) => (await rt.runtime.opened.store.get(ticketId))!.status;

beforeAll(async () => {
  file = path.join(mkdtempSync(path.join(tmpdir(), 'twisterlab-approval-')), 'wiped.log');
  rt = await startTestRuntime('pglite', {}, { runbooks: [wipeRunbook(file)] });
  rt.runtime.registry.register(createTestOpsAgent());
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await rt?.close();
});

describe('approvals over MCP', () => {
  it('refuses the requester and an operator, then runs the step once on an admin approval', async () => {
    const alice = await clientAs({ name: 'alice', role: 'admin' });
    const { ticketId, approval } = await submitAndWait(alice);
    const own = await call(alice, 'ticket.approve', { approval_id: approval.id });
    expect(errorOf(own)).toMatchObject({ code: 'FORBIDDEN' });
    const bot = await clientAs({ name: 'bot', role: 'operator' });
    expect(errorOf(await call(bot, 'ticket.approve', { approval_id: approval.id })).code).toBe('FORBIDDEN');
    const carol = await clientAs({ name: 'carol', role: 'admin' });
    const approved = await call(carol, 'ticket.approve', { approval_id: approval.id });
    expect(approved.structuredContent).toMatchObject({ status: 'approved', decidedBy: 'carol' });
    expect(
      await until(
        () => statusOf(ticketId),
        (s) => s === 'resolved' || s === 'escalated',
      ),
    ).toBe('resolved');
    expect(sideEffectLines(file)).toBe(1);
  });

  it('escalates on ticket.deny with who denied and why', async () => {
    const alice = await clientAs({ name: 'alice', role: 'admin' });
    const { ticketId, approval } = await submitAndWait(alice);
    const carol = await clientAs({ name: 'carol', role: 'admin' });
    await call(carol, 'ticket.deny', { approval_id: approval.id, reason: 'change freeze' });
    expect(
      await until(
        () => statusOf(ticketId),
        (s) => s === 'escalated',
      ),
    ).toBe('escalated');
    expect((await rt.runtime.opened.store.get(ticketId))!.escalationReason).toBe(
      'step 0 was denied by carol: change freeze',
    );
    expect(sideEffectLines(file)).toBe(1);
  });
});
