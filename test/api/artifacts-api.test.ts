// The browser agent through the whole runtime on both stores: capabilities called over REST (gateway, roles,
// audit), screenshots stored under the data directory and served by GET /api/v1/artifacts/:id.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';
import { PNG_SIGNATURE, startWebFixtures, type WebFixtures } from '../helpers/web-fixtures.ts';

const VIEWER_KEY = 'viewer-key-0123456789abcdef';
const OPERATOR_KEY = 'operator-key-0123456789abcdef';

let web: WebFixtures;
beforeAll(async () => {
  web = await startWebFixtures();
});
afterAll(async () => web?.close());

describe.each(BACKENDS)('browser agent and artifacts on %s', (backend) => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime(backend, {
      TWISTERLAB_BROWSER_ALLOW: '127.0.0.2/32',
      TWISTERLAB_API_KEYS: `ops:operator:${OPERATOR_KEY},look:viewer:${VIEWER_KEY}`,
    });
  });
  afterAll(async () => t?.close());

  const call = (capability: string, body: unknown, key = OPERATOR_KEY) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/mcp/${capability}`,
      payload: body as object,
      headers: { 'x-api-key': key },
    });
  const get = (url: string, key = VIEWER_KEY) => t.app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });

  it('lists the browser capabilities as read-only', async () => {
    const agents = (await get('/api/v1/agents')).json() as { items?: unknown[] } | unknown[];
    const text = JSON.stringify(agents);
    expect(text).toContain('browser.browse');
    expect(text).toContain('browser.screenshot');
  });

  it('takes a screenshot over REST and serves the PNG by id to any role, from the data directory', async () => {
    const response = await call('browser.screenshot', { url: `${web.site}/page` });
    expect(response.statusCode).toBe(200);
    const output = response.json().output as { artifact_id: string; href: string; bytes: number };
    expect(existsSync(path.join(t.dataDir, 'artifacts', `${output.artifact_id}.png`))).toBe(true);
    const png = await get(output.href);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['x-content-type-options']).toBe('nosniff');
    expect([...png.rawPayload.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.rawPayload.length).toBe(output.bytes);
  });

  it('answers 404 for an unknown artifact and 400 for a malformed id', async () => {
    expect((await get('/api/v1/artifacts/00000000-0000-4000-8000-000000000000')).json()).toMatchObject({
      error: { code: 'ARTIFACT_NOT_FOUND' },
    });
    expect((await get('/api/v1/artifacts/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    for (const bad of ['not-an-id', '..%2F..%2Fetc%2Fpasswd', '00000000-0000-4000-8000-000000000000.json']) {
      const response = await get(`/api/v1/artifacts/${bad}`);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('refuses an internal URL with 422 URL_NOT_ALLOWED, audited as a call, and a viewer may not browse', async () => {
    const refused = await call('browser.browse', { url: `http://127.0.0.1:${web.port}/` });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ ok: false, error: { code: 'URL_NOT_ALLOWED' } });
    expect((await call('browser.browse', { url: `${web.site}/page` }, VIEWER_KEY)).statusCode).toBe(403);
    const audit = JSON.stringify((await get('/api/v1/audit?limit=50')).json());
    expect(audit).toContain('browser.browse');
    expect(web.internalHits).toEqual([]);
  });
});
