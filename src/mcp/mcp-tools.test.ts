// The MCP surface with a destructive capability (none of the built-in agents has one): refused before it runs,
// as a tool error carrying APPROVAL_REQUIRED, with the refusal in the real store's audit trail.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pgliteBackend, type TestStore } from '../../test/store/backends.ts';
import { createInProcessQueue } from '../adapters/queue/in-process-queue.ts';
import { defineAgent, defineCapability } from '../core/capability.ts';
import { CapabilityGateway } from '../core/capability-gateway.ts';
import { silentLogger } from '../core/logger.ts';
import { CapabilityRegistry } from '../core/registry.ts';
import { loadBuiltinRunbooks } from '../adapters/runbooks/runbook-files.ts';
import { createMcpServer } from './mcp-server.ts';
import { McpTools } from './mcp-tools.ts';

const builtinRunbooks = loadBuiltinRunbooks();

let ran = 0;
const wipe = defineCapability({
  id: 'disk.wipe',
  description: 'Erase a disk',
  risk: 'destructive',
  input: z.strictObject({ device: z.string() }),
  output: z.object({ wiped: z.boolean() }),
  run: async () => {
    ran += 1;
    return { wiped: true };
  },
});

const backend = pgliteBackend();
let t: TestStore;
let client: Client;

beforeAll(async () => {
  await backend.setup();
  t = await backend.fresh();
  const registry = new CapabilityRegistry({ logger: silentLogger });
  registry.register(defineAgent({ id: 'disk', description: 'disks', deps: {}, capabilities: [wipe] }));
  const gateway = new CapabilityGateway({ registry, audit: (entries) => t.store.appendAudit(entries) });
  const queue = createInProcessQueue({ concurrency: 1, logger: silentLogger });
  const tools = new McpTools({
    registry,
    gateway,
    store: t.store,
    queue,
    isAccepting: () => true,
    logger: silentLogger,
  });
  const server = createMcpServer(
    { tools, resources: { store: t.store, runbooks: () => builtinRunbooks }, version: 'test' },
    () => ({ name: 'root', role: 'admin' }),
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
});

afterAll(async () => {
  await client?.close();
  await t?.close();
  await backend.teardown();
});

describe('destructive capabilities over MCP', () => {
  it('are listed with destructiveHint and refused with APPROVAL_REQUIRED, even for an admin, without running', async () => {
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === 'disk.wipe')?.annotations).toMatchObject({
      destructiveHint: true,
      readOnlyHint: false,
    });
    const result = (await client.callTool({ name: 'disk.wipe', arguments: { device: 'sda' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(JSON.parse((result.content[0] as { text: string }).text).error).toMatchObject({ code: 'APPROVAL_REQUIRED' });
    expect(ran).toBe(0);
    const audit = await t.store.listAudit({ action: 'capability.refused', limit: 1 });
    expect(audit[0]).toMatchObject({
      actor: 'root',
      details: { capability: 'disk.wipe', risk: 'destructive', via: 'mcp', error: 'APPROVAL_REQUIRED' },
    });
  });
});
