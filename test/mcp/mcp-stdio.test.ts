// `twisterlab mcp` as a real subprocess driven by the SDK's stdio client, beside an API runtime on the same
// PostgreSQL database: what one surface writes, the other reads.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteStore } from '../../src/adapters/store/open-store.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'bin/twisterlab.js');

let api: TestRuntime;
const clients: Client[] = [];

const RECORDER = path.join(ROOT, 'test/cli/import-recorder.mjs');
/** Adapters' packages each loaded by the factory that first needs them (an import line of the recorder). */
const HEAVY =
  /^import .*\/node_modules\/(ssh2|bullmq|ioredis|nodemailer|imapflow|mailparser|systeminformation|playwright-core|@electric-sql\/pglite)\//;

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function stdioClient(
  env: Record<string, string> = {},
  embedded = false,
  nodeArgs: string[] = [],
): Promise<{ client: Client; stderr: () => string }> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env as Record<string, string>;
  const store: Record<string, string> = embedded
    ? {}
    : { DATABASE_URL: api.config.databaseUrl!, TWISTERLAB_DATA_DIR: api.dataDir };
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...nodeArgs, CLI, 'mcp'],
    cwd: ROOT,
    stderr: 'pipe',
    env: { ...inherited, LOG_LEVEL: 'info', ...store, ...env },
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'twisterlab-stdio-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return { client, stderr: () => stderr };
}

beforeAll(async () => {
  api = await startTestRuntime('postgres');
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await api?.close();
});

describe('twisterlab mcp (stdio)', () => {
  it('offers the same tools as the HTTP endpoint, keeps stdout for the protocol and logs on stderr', async () => {
    const { client, stderr } = await stdioClient();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      api.runtime.mcp.tools
        .list()
        .map((tool) => tool.name)
        .sort(),
    );
    expect(client.getServerVersion()).toMatchObject({ name: 'twisterlab' });
    // tools/list no longer waits for the runtime; a call does, and then the runtime has said it serves.
    expect((await client.callTool({ name: 'ticket.list', arguments: { limit: 1 } })).isError).toBeFalsy();
    expect(stderr()).toMatch(/MCP server on stdio/);
  });

  it('calls a capability as the stdio identity, audited like any other call', async () => {
    const { client } = await stdioClient();
    const result = await client.callTool({
      name: 'commander.execute_command',
      arguments: { device_id: 'local', command: 'rm -rf /' },
    });
    expect(result.isError).toBe(true);
    const audit = (
      await api.app.inject({ method: 'GET', url: '/api/v1/audit?actor=stdio&action=capability.invoked' })
    ).json();
    expect(audit.items[0]).toMatchObject({
      actor: 'stdio',
      details: { capability: 'commander.execute_command', via: 'mcp', error: 'COMMAND_NOT_ALLOWED' },
    });
    const ok = await client.callTool({
      name: 'commander.execute_command',
      arguments: { device_id: 'local', command: 'uptime' },
    });
    expect(ok.structuredContent).toMatchObject({ exit_code: 0 });
  });

  it('submits a ticket that the API then shows, processed by the stdio process', async () => {
    const { client } = await stdioClient();
    const submitted = await client.callTool({
      name: 'ticket.submit',
      arguments: { description: 'The disk is full on this host', dry_run: true },
    });
    const { ticket } = submitted.structuredContent as { ticket: { id: string } };
    const detail = await waitForTicket(api.app, ticket.id);
    expect(detail.ticket).toMatchObject({ source: 'mcp', requester: 'stdio', status: 'planned', category: 'storage' });
  });

  it('takes its role from TWISTERLAB_MCP_STDIO_ROLE', async () => {
    const { client } = await stdioClient({ TWISTERLAB_MCP_STDIO_ROLE: 'viewer' });
    const result = (await client.callTool({
      name: 'ticket.submit',
      arguments: { description: 'printer jam' },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(JSON.parse((result.content[0] as { text: string }).text).error).toMatchObject({ code: 'FORBIDDEN' });
    expect((await client.callTool({ name: 'ticket.list', arguments: { limit: 1 } })).isError).toBeFalsy();
  });

  it('answers initialize, tools/list and prompts/list before its store is reachable, from the catalogue the runtime serves', async () => {
    // A PostgreSQL that accepts connections and never answers: the runtime cannot be ready, the catalogues still are.
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const { client, stderr } = await stdioClient(
        { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/none`, DATABASE_CONNECT_TIMEOUT_MS: '120000' },
        false,
        ['--import', RECORDER],
      );
      expect(client.getServerVersion()).toMatchObject({ name: 'twisterlab' });
      expect(client.getServerCapabilities()).toMatchObject({ tools: {} });
      await client.ping();
      // The whole tool list, schemas and annotations included, exactly as a started runtime lists it.
      const { tools } = await client.listTools();
      expect(tools).toEqual(api.runtime.mcp.tools.list());
      expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['triage_alert', 'explain_ticket']);
      expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual([
        'ticket://{id}',
        'runbook://{id}',
      ]);
      // Still waiting for its store: the runtime never started, so none of these came from it.
      expect(stderr()).not.toMatch(/MCP server on stdio/);
      // The runtime's modules are all loaded once it opens the store (pg is imported there and nowhere before):
      // none of the adapters it has no use for yet came with them.
      await until(() => /node_modules\/pg\//.test(stderr()));
      const heavy = stderr()
        .split('\n')
        .filter((line) => HEAVY.test(line));
      expect(heavy).toEqual([]);
      expect(stderr()).not.toMatch(/MCP server on stdio/);
      await client.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('lists tools and answers a read capability without loading the browser engine', async () => {
    const { client, stderr } = await stdioClient({}, false, ['--import', RECORDER]);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    const listed = await client.callTool({ name: 'ticket.list', arguments: { limit: 1 } });
    expect(listed.isError).toBeFalsy();
    expect(stderr()).toMatch(/import file:.*src\/main\/runtime\.ts/);
    expect(stderr()).not.toMatch(/node_modules\/playwright-core\//);
  });

  it('opens the embedded store itself and releases it when the client closes stdin', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-stdio-'));
    try {
      const { client } = await stdioClient({ TWISTERLAB_DATA_DIR: dataDir }, true);
      const submitted = await client.callTool({
        name: 'ticket.submit',
        arguments: { description: 'The disk is full', dry_run: true },
      });
      const { ticket } = submitted.structuredContent as { ticket: { id: string } };
      await client.close();
      const opened = await waitForUnlock(dataDir);
      try {
        expect((await opened.store.get(ticket.id))?.requester).toBe('stdio');
      } finally {
        await opened.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** The stdio process may still be closing its store when the client returns; the lock says when it is done. */
async function waitForUnlock(dataDir: string) {
  for (let i = 0; ; i += 1) {
    try {
      return await openPgliteStore({ dataDir, logger: silentLogger, migrate: true });
    } catch (error) {
      if (i > 50 || (error as { code?: string }).code !== 'STORE_LOCKED') throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
