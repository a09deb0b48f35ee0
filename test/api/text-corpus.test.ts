// Text that may not enter (NUL, other control characters, lone surrogates, noncharacters, overlong strings, and
// values of the wrong type) sent to every text field of every REST route, every capability through JSON
// dispatch, every MCP tool through the SDK's client, and the CLI: each is refused as a 400 (a tool error on MCP)
// naming the field and the problem, with no internals in the answer and nothing stored.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.ts';
import { submitCommand } from '../../src/cli/ticket-commands.ts';
import { MAX_TEXT_LENGTH } from '../../src/core/text-guard.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

interface Bad {
  name: string;
  value: unknown;
  /** What the message must say (a type error comes from the schema, so it only names the field). */
  says: RegExp;
  /** Can be sent in a URL (path or query string). */
  inUrl?: string;
}

const CORPUS: Bad[] = [
  { name: 'NUL', value: 'disk\u0000full', says: /contains a NUL character at position 4/, inUrl: 'disk%00full' },
  {
    name: 'escape',
    value: 'red\u001b[31m',
    says: /contains a control character U\+001B at position 3/,
    inUrl: 'red%1B%5B31m',
  },
  { name: 'bell', value: '\u0007', says: /contains a control character U\+0007 at position 0/, inUrl: '%07' },
  { name: 'C1 CSI', value: 'a\u009bb', says: /contains a control character U\+009B at position 1/, inUrl: 'a%C2%9Bb' },
  { name: 'lone surrogate', value: 'ab\ud800', says: /contains a lone surrogate U\+D800 at position 2/ },
  {
    name: 'noncharacter',
    value: '\ufffe',
    says: /contains the noncharacter U\+FFFE at position 0/,
    inUrl: '%EF%BF%BE',
  },
  { name: 'overlong', value: 'a'.repeat(MAX_TEXT_LENGTH + 1), says: /is \d+ characters long; at most \d+ are taken/ },
];
const WRONG_TYPES: unknown[] = [42, { nested: true }, ['a']];

/** What no answer may carry: SQL, driver messages, stack frames, file paths. */
const INTERNALS = /insert into|select .* from|Failed query|\\nparams:|\bat .*\.(ts|js):\d+|node_modules|\/src\//i;

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

function takesString(schema: JsonSchema): boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes('string') || [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some(takesString);
}

/** Every path to a string in a JSON schema, e.g. ['context', 'device_id'] or ['paths', '0']. */
function stringPaths(schema: JsonSchema | undefined, prefix: string[] = []): string[][] {
  if (!schema) return [];
  const found: string[][] = takesString(schema) ? [prefix] : [];
  for (const [key, child] of Object.entries(schema.properties ?? {}))
    found.push(...stringPaths(child, [...prefix, key]));
  if (schema.items) found.push(...stringPaths(schema.items, [...prefix, '0']));
  for (const option of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    if (option.type === 'object' || option.type === 'array') found.push(...stringPaths(option, prefix));
  }
  return found.filter((path) => path.length > 0);
}

function withValueAt(path: string[], value: unknown): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let at: Record<string, unknown> = root;
  path.forEach((key, i) => {
    if (i === path.length - 1) at[key] = value;
    else at = (at[key] = path[i + 1] === '0' ? [] : {}) as Record<string, unknown>;
  });
  return root;
}

let t: TestRuntime;
let base: string;
let client: Client;
let openapi: {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ in: string; name: string; schema: JsonSchema }>;
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
      }
    >
  >;
};

async function ticketCount(): Promise<number> {
  return (await t.runtime.opened.store.list({ limit: 1, offset: 0 })).total;
}

function expectRefused(response: { statusCode: number; body: string }, where: string, says: RegExp): void {
  expect(response.statusCode, where).toBe(400);
  const error = JSON.parse(response.body).error as { code: string; message: string };
  expect(error.code, where).toBe('VALIDATION_FAILED');
  expect(error.message, where).toMatch(says);
  expect(response.body, where).not.toMatch(INTERNALS);
}

beforeAll(async () => {
  t = await startTestRuntime('pglite');
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  client = new Client({ name: 'twisterlab-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  openapi = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
});

afterAll(async () => {
  await client?.close().catch(() => {});
  await t?.close();
});

describe('text that may not enter, at every REST route', () => {
  it('is refused in every path parameter and every query parameter, naming it', async () => {
    let checked = 0;
    for (const [path, methods] of Object.entries(openapi.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const params = operation.parameters ?? [];
        for (const bad of CORPUS.filter((b) => b.inUrl)) {
          for (const param of params.filter((p) => p.in === 'path')) {
            const url = path.replace(/\{(\w+)\}/g, (_, name: string) => (name === param.name ? bad.inUrl! : 'x'));
            expectRefused(
              await t.app.inject({ method: method.toUpperCase() as 'GET', url }),
              `${method} ${url}`,
              new RegExp(`${param.name}: ${bad.says.source}`),
            );
            checked += 1;
          }
          for (const param of params.filter((p) => p.in === 'query' && takesString(p.schema ?? {}))) {
            const url = `${path.replace(/\{(\w+)\}/g, 'x')}?${param.name}=${bad.inUrl!}`;
            const response = await t.app.inject({ method: method.toUpperCase() as 'GET', url });
            // A path parameter `x` may be refused first; what matters is that the query string is checked before anything runs.
            expect(response.statusCode, `${method} ${url}`).toBe(400);
            expect(response.body, url).not.toMatch(INTERNALS);
            if (!path.includes('{'))
              expectRefused(response, `${method} ${url}`, new RegExp(`${param.name}: ${bad.says.source}`));
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('is refused in every string field of every request body, and the wrong type is refused too', async () => {
    const before = await ticketCount();
    let checked = 0;
    for (const [path, methods] of Object.entries(openapi.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const schema = operation.requestBody?.content['application/json']?.schema;
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
          name === 'capability' ? 'sentiment.analyze_sentiment' : '00000000-0000-7000-8000-000000000000',
        );
        for (const field of stringPaths(schema)) {
          for (const bad of CORPUS) {
            const response = await t.app.inject({
              method: method.toUpperCase() as 'POST',
              url,
              payload: withValueAt(field, bad.value),
            });
            expectRefused(
              response,
              `${method} ${url} ${field.join('.')} ${bad.name}`,
              new RegExp(`${field.join('\\.')}: ${bad.says.source}`),
            );
            checked += 1;
          }
          for (const wrong of WRONG_TYPES) {
            const response = await t.app.inject({
              method: method.toUpperCase() as 'POST',
              url,
              payload: withValueAt(field, wrong),
            });
            expect([400, 404], `${method} ${url} ${field.join('.')} ${JSON.stringify(wrong)}`).toContain(
              response.statusCode,
            );
            expect(response.body).not.toMatch(INTERNALS);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(await ticketCount()).toBe(before);
  });

  it('is refused in the tasks of POST /orchestrate and the descriptions of tickets, answering 400 instead of 500', async () => {
    for (const bad of CORPUS) {
      expectRefused(
        await t.app.inject({ method: 'POST', url: '/orchestrate', payload: { task: bad.value } }),
        `orchestrate ${bad.name}`,
        new RegExp(`task: ${bad.says.source}`),
      );
      expectRefused(
        await t.app.inject({ method: 'POST', url: '/api/v1/tickets', payload: { description: bad.value } }),
        `ticket ${bad.name}`,
        new RegExp(`description: ${bad.says.source}`),
      );
    }
    const nul = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      payload: { description: 'The disk on web-1 is full\u0000' },
    });
    expect(nul.json().error.message).toBe('invalid body: description: contains a NUL character at position 25');
  });

  it('is refused in every string input of every capability through JSON dispatch', async () => {
    const { agents } = (await t.app.inject({ method: 'GET', url: '/api/v1/agents' })).json() as {
      agents: Array<{ capabilities: Array<{ id: string; inputSchema: JsonSchema }> }>;
    };
    let checked = 0;
    for (const capability of agents.flatMap((a) => a.capabilities)) {
      for (const field of stringPaths(capability.inputSchema)) {
        for (const bad of CORPUS) {
          const response = await t.app.inject({
            method: 'POST',
            url: `/api/v1/mcp/${capability.id}`,
            payload: withValueAt(field, bad.value),
          });
          expectRefused(
            response,
            `${capability.id} ${field.join('.')} ${bad.name}`,
            new RegExp(`${field.join('\\.')}: ${bad.says.source}`),
          );
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
  });
});

describe('text that may not enter, through MCP and the CLI', () => {
  function toolError(result: CallToolResult): { code: string; message: string } {
    expect(result.isError).toBe(true);
    const first = result.content[0];
    if (first?.type !== 'text') throw new Error('a tool error carries text');
    expect(first.text).not.toMatch(INTERNALS);
    return (JSON.parse(first.text) as { error: { code: string; message: string } }).error;
  }

  // Several thousand tool calls: the budget is for a loaded machine, not a speed claim.
  it(
    'is a VALIDATION_FAILED tool error naming the field, for every string argument of every tool',
    { timeout: 600_000 },
    async () => {
      const before = await ticketCount();
      const { tools } = await client.listTools();
      let checked = 0;
      for (const tool of tools) {
        for (const field of stringPaths(tool.inputSchema as JsonSchema)) {
          for (const bad of CORPUS) {
            const error = toolError(
              (await client.callTool({ name: tool.name, arguments: withValueAt(field, bad.value) })) as CallToolResult,
            );
            expect(error.code, `${tool.name} ${field.join('.')} ${bad.name}`).toBe('VALIDATION_FAILED');
            expect(error.message, `${tool.name} ${field.join('.')} ${bad.name}`).toMatch(
              new RegExp(`${field.join('\\.')}: ${bad.says.source}`),
            );
            checked += 1;
          }
          for (const wrong of WRONG_TYPES) {
            expect(
              toolError(
                (await client.callTool({ name: tool.name, arguments: withValueAt(field, wrong) })) as CallToolResult,
              ).code,
              `${tool.name} ${field.join('.')}`,
            ).toMatch(/VALIDATION_FAILED|APPROVAL_REQUIRED|FORBIDDEN|NOT_FOUND/);
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
      expect(await ticketCount()).toBe(before);
    },
  );

  it('reaches the CLI user as the API said it: status, code, field and problem', async () => {
    const api = new ApiClient({ baseUrl: base, apiKeyHeader: 'x-api-key' });
    const lines: string[] = [];
    await expect(
      submitCommand(
        api,
        { text: 'printer \u0000 jam', dryRun: true, wait: false, json: false, context: {} },
        { write: (l) => lines.push(l) },
      ),
    ).rejects.toThrow('400 VALIDATION_FAILED: invalid body: description: contains a NUL character at position 8');
    expect(lines).toEqual([]);
  });
});
