// ticket.submit with wait over real HTTP with the SDK's client: progress notifications on each status change
// for a request that carries a progress token, none without one, and the settled ticket as the result.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TICKET_STATUSES } from '../../src/core/ticket.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const key = 'operator-key-0123456789';
let t: TestRuntime;
let base: string;
const clients: Client[] = [];

async function connect(): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: { 'x-api-key': key } },
  });
  const client = new Client({ name: 'twisterlab-progress-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

interface Submitted {
  ticket: { id: string; status: string; dryRun: boolean };
  created: boolean;
  settled?: boolean;
}

const STATUS_WORDS = TICKET_STATUSES.map((status) => status.replaceAll('_', ' '));

beforeAll(async () => {
  t = await startTestRuntime('pglite', { TWISTERLAB_API_KEYS: `bot:operator:${key}` });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await t?.close();
});

describe('ticket.submit with wait', () => {
  it.each([
    'The shared printer on floor 2 stopped printing this morning',
    'our website has been really slow since lunch, pages take ages',
  ])('tells each status change of "%s" as progress and answers with the settled ticket', async (description) => {
    const client = await connect();
    const seen: Progress[] = [];
    const result = await client.callTool(
      { name: 'ticket.submit', arguments: { description, dry_run: true, wait: true, timeout_ms: 120_000 } },
      CallToolResultSchema,
      { onprogress: (progress) => seen.push(progress) },
    );
    expect(result.isError).toBeFalsy();
    const submitted = result.structuredContent as unknown as Submitted;
    expect(submitted.settled).toBe(true);
    expect(submitted.ticket.dryRun).toBe(true);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    for (const progress of seen)
      expect(
        STATUS_WORDS.some((words) => progress.message?.startsWith(words)),
        progress.message,
      ).toBe(true);
    // One step per status change, counted up, and the last one told is where the ticket stands.
    expect(seen.map((p) => p.progress)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.at(-1)?.message?.startsWith(submitted.ticket.status.replaceAll('_', ' '))).toBe(true);
    // The store agrees: the dry run's plan is written.
    const detail = await t.runtime.opened.store.getDetail(submitted.ticket.id);
    expect(detail?.ticket.status).toBe(submitted.ticket.status);
    expect(detail?.executions.at(-1)?.finishedAt).toBeTruthy();
  });

  it('works the same without a progress token', async () => {
    const client = await connect();
    const result = await client.callTool({
      name: 'ticket.submit',
      arguments: { description: 'The disk on the build host is nearly full again', dry_run: true, wait: true },
    });
    expect(result.isError).toBeFalsy();
    const submitted = result.structuredContent as unknown as Submitted;
    expect(submitted.settled).toBe(true);
    expect((await t.runtime.opened.store.getDetail(submitted.ticket.id))?.executions.at(-1)?.finishedAt).toBeTruthy();
  });

  it('answers at once without wait, and refuses a timeout out of range by name', async () => {
    const client = await connect();
    const plain = await client.callTool({
      name: 'ticket.submit',
      arguments: { description: 'Email to the sales team bounces', dry_run: true },
    });
    expect((plain.structuredContent as unknown as Submitted).settled).toBeUndefined();
    const bad = await client.callTool({
      name: 'ticket.submit',
      arguments: { description: 'Email to the sales team bounces', wait: true, timeout_ms: 0 },
    });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('timeout_ms');
  });
});
