// A server-side failure never shows its internals: with the tickets table gone from a real PostgreSQL, every
// door (REST, POST /orchestrate, JSON dispatch, MCP tools and resources) answers with the code, the catalogue's
// fixed sentence and a request id, never the SQL, its parameters or the driver's message; the real error is
// in the log under that request id.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { errorCatalogue } from '../../src/core/errors.ts';
import { hashApiKey } from '../../src/http/plugins/auth.ts';
import { createRuntime, type Runtime } from '../../src/main/runtime.ts';
import { adminQuery, POSTGRES_SERVER, randomDatabaseName } from '../store/backends.ts';

const MARKER = 'marker-7f3a9c';
/** What a failing query would leak: the statement, its parameters, the driver's words. */
const INTERNALS = new RegExp(
  `insert into|select |Failed query|params|relation|tickets_gone|${MARKER}|\\bat .*\\.(ts|js):\\d+`,
  'i',
);

const logLines: Array<Record<string, unknown>> = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let runtime: Runtime;
let database: string;
let dataDir: string;
let client: Client;

function loggedUnder(requestId: string): string {
  const lines = logLines.filter((line) => line.requestId === requestId);
  expect(lines.length, `log lines for ${requestId}`).toBeGreaterThan(0);
  return JSON.stringify(lines);
}

beforeAll(async () => {
  database = randomDatabaseName('twisterlab_errors');
  await adminQuery(`create database ${database}`);
  dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-errors-'));
  const config = loadConfig(
    { LOG_LEVEL: 'info', TWISTERLAB_DATA_DIR: dataDir, DATABASE_URL: `${POSTGRES_SERVER}/${database}` },
    hashApiKey,
  );
  runtime = await createRuntime(config, pino({ level: 'info' }, logStream));
  await runtime.app.ready();
  const base = await runtime.app.listen({ host: '127.0.0.1', port: 0 });
  client = new Client({ name: 'twisterlab-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  // The store breaks the way a bad migration or a dropped table would: every ticket query fails in the driver.
  const admin = new pg.Client({ connectionString: `${POSTGRES_SERVER}/${database}` });
  await admin.connect();
  await admin.query('alter table tickets rename to tickets_gone');
  await admin.end();
});

afterAll(async () => {
  await client?.close().catch(() => {});
  await runtime?.close();
  await adminQuery(`drop database if exists ${database} with (force)`);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a server error', () => {
  it('on REST answers code, fixed sentence and request id, and the SQL and parameters are only in the log under that id', async () => {
    const submitted = await runtime.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      payload: { description: `printer jam ${MARKER}` },
    });
    const listed = await runtime.app.inject({ method: 'GET', url: '/api/v1/tickets?limit=5' });
    for (const response of [submitted, listed]) {
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toMatch(INTERNALS);
      const { error } = response.json() as {
        error: { code: 'INTERNAL'; message: string; requestId: string; details?: unknown };
      };
      expect(error).toEqual({
        code: 'INTERNAL',
        message: errorCatalogue.INTERNAL.when,
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(loggedUnder(error.requestId)).toMatch(/tickets/);
    }
    expect(loggedUnder(submitted.json().error.requestId)).toContain(MARKER);
  });

  it('on POST /orchestrate and JSON dispatch keeps the capability code but not the driver message', async () => {
    const orchestrated = await runtime.app.inject({
      method: 'POST',
      url: '/orchestrate',
      payload: { task: `disk full ${MARKER}`, dry_run: true },
    });
    const dispatched = await runtime.app.inject({
      method: 'POST',
      url: '/api/v1/mcp/maestro.orchestrate',
      payload: { task: `disk full ${MARKER}`, dry_run: true },
    });
    for (const response of [orchestrated, dispatched]) {
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toMatch(INTERNALS);
      const { error } = response.json() as { error: { code: 'CAPABILITY_FAILED'; message: string; requestId: string } };
      expect(error).toMatchObject({
        code: 'CAPABILITY_FAILED',
        message: errorCatalogue.CAPABILITY_FAILED.when,
        requestId: expect.any(String),
      });
      expect(loggedUnder(error.requestId)).toContain(MARKER);
    }
  });

  it('in an MCP tool or resource is an error with a request id, and the log has the real one under it', async () => {
    for (const call of [
      { name: 'maestro.orchestrate', arguments: { task: `disk full ${MARKER}` } },
      { name: 'ticket.submit', arguments: { description: `disk full ${MARKER}` } },
    ]) {
      const result = (await client.callTool(call)) as CallToolResult;
      expect(result.isError).toBe(true);
      const text = (result.content[0] as { text: string }).text;
      expect(text).not.toMatch(INTERNALS);
      const { error } = JSON.parse(text) as { error: { code: string; requestId: string } };
      expect(['CAPABILITY_FAILED', 'INTERNAL']).toContain(error.code);
      expect(loggedUnder(error.requestId)).toContain(MARKER);
    }
    const read = await client.readResource({ uri: 'ticket://00000000-0000-7000-8000-000000000000' }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    expect(read).toMatch(/internal error \(request id [0-9a-f-]{36}\)/);
    expect(read).not.toMatch(INTERNALS);
    loggedUnder(/request id ([0-9a-f-]{36})/.exec(read)![1]!);
  });
});
