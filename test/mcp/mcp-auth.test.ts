// How MCP clients authenticate, per the MCP authorization spec for a server that takes API keys (no OAuth): a
// 401 names the Bearer scheme, the OAuth discovery documents answer 404 (never 401, which would send a client
// looking for an authorization server), and the key is accepted as X-API-Key or Authorization: Bearer.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const KEY = 'operator-key-0123456789';
let t: TestRuntime;
let base: string;

beforeAll(async () => {
  t = await startTestRuntime('pglite', { TWISTERLAB_API_KEYS: `bot:operator:${KEY}` });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => t?.close());

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
};
const post = (headers: Record<string, string>) =>
  fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(initialize),
  });

describe('MCP authorization', () => {
  it('answers a request without a key with 401 and a WWW-Authenticate naming the Bearer scheme', async () => {
    const response = await post({});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="twisterlab"');
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/x-api-key.*Bearer/i),
    });
    const wrong = await post({ authorization: 'Bearer not-a-key-0123456789' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="twisterlab", error="invalid_token"');
  });

  it('answers the OAuth discovery documents 404 without a key, never 401', async () => {
    for (const p of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
    ]) {
      const response = await fetch(`${base}${p}`);
      expect(response.status, p).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });

  it('takes the key as Authorization: Bearer with the SDK client, as well as X-API-Key', async () => {
    for (const headers of [{ authorization: `Bearer ${KEY}` }, { 'x-api-key': KEY }] as Array<Record<string, string>>) {
      const client = new Client({ name: 'auth-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers } }));
      const listed = await client.callTool({ name: 'ticket.list', arguments: { limit: 1 } });
      expect(listed.isError).toBeFalsy();
      await client.close();
    }
  });
});
