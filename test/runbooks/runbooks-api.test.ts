// The runbook catalogue over REST and the CLI: the built-ins plus a user's directory, validated at start,
// listed and shown without running anything, and a dry run of one runbook that plans but never acts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ApiClient } from '../../src/cli/api-client.ts';
import { validateRunbooksCommand } from '../../src/cli/runbook-validate.ts';
import { runCliWith } from '../helpers/run-cli.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const userRunbook = `
id: restart-web
title: Restart the web service
categories: [application]
keywords: [down]
requires: [service]
parameters:
  service: { type: string, from: '{{context.serviceName}}', pattern: '^[a-z-]+$' }
  grace_ms: { type: integer, default: 1000, minimum: 100, maximum: 60000 }
diagnose:
  - id: probe
    capability: monitoring.check_service_health
    params: { service_name: '{{params.service}}' }
    description: Probe the service
findings:
  - { id: service.unreachable, step: probe, when: [{ path: healthy, op: eq, value: false }] }
fix:
  - capability: sync.sync_data
    params: { source: '{{service.baselineDir}}', destination: '{{service.configDir}}' }
    description: Put back the known-good configuration
    addresses: service.unreachable
    backup: { target: '{{service.configDir}}', type: files }
verify:
  - capability: monitoring.check_service_health
    params: { service_name: '{{params.service}}' }
    description: Healthy again
    expect: [{ path: healthy, op: eq, value: true }]
`;

describe('runbook catalogue API', () => {
  let t: TestRuntime;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'runbooks-api-'));
    const runbooksDir = path.join(dir, 'runbooks');
    const conf = path.join(dir, 'conf');
    for (const d of [runbooksDir, conf, path.join(dir, 'good')]) rmSync(d, { recursive: true, force: true });
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(runbooksDir);
      await fs.mkdir(conf);
      await fs.mkdir(path.join(dir, 'good'));
    });
    writeFileSync(path.join(runbooksDir, 'restart-web.yaml'), userRunbook);
    writeFileSync(path.join(dir, 'services.yaml'), `services:\n  - { name: web, url: 'http://127.0.0.1:9/health', configDir: '${conf}', baselineDir: '${path.join(dir, 'good')}' }\n`);
    t = await startTestRuntime('pglite', {
      TWISTERLAB_RUNBOOKS_DIR: runbooksDir, TWISTERLAB_SERVICES_FILE: path.join(dir, 'services.yaml'), TWISTERLAB_BACKUP_ROOTS: dir,
    });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the built-in runbooks and the user directory, with their highest risk', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/runbooks' });
    expect(response.statusCode).toBe(200);
    const { items } = response.json() as { items: Array<{ id: string; source: string; highestRisk: string; backsUp: boolean; parameters: string[] }> };
    expect(items.length).toBeGreaterThanOrEqual(6);
    const mine = items.find((r) => r.id === 'restart-web')!;
    expect(mine).toMatchObject({ highestRisk: 'change', backsUp: true, parameters: ['service', 'grace_ms'] });
    expect(mine.source).toContain('restart-web.yaml');
    expect(items.find((r) => r.id === 'disk-space')).toMatchObject({ source: 'builtin:disk-space.yaml', highestRisk: 'read' });
    const storage = (await t.app.inject({ method: 'GET', url: '/api/v1/runbooks?category=storage' })).json() as { items: Array<{ categories: string[] }> };
    expect(storage.items.length).toBeGreaterThan(0);
    expect(storage.items.every((r) => r.categories.includes('storage'))).toBe(true);
  });

  it('shows one runbook as data, and 404s an unknown id naming it', async () => {
    const shown = await t.app.inject({ method: 'GET', url: '/api/v1/runbooks/restart-web' });
    expect(shown.statusCode).toBe(200);
    expect((shown.json() as { runbook: { fix: unknown[] } }).runbook.fix).toHaveLength(1);
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/runbooks/no-such-runbook' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'RUNBOOK_NOT_FOUND', message: expect.stringContaining('no-such-runbook') } });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/runbooks/..%2Fetc' })).statusCode).toBe(400);
  });

  it('dry-runs a runbook: parameters filled, a decision per step, the backup named, nothing run or stored', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=500' })).json() as { items: unknown[] };
    const response = await t.app.inject({
      method: 'POST', url: '/api/v1/runbooks/restart-web/dry-run',
      payload: { context: { serviceName: 'web' }, params: { grace_ms: 5000 } },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { plannable: boolean; plan: { parameters: unknown; steps: Array<{ phase: string; capability: string; params: Record<string, unknown>; decision: string; decisionReason: string }> } };
    expect(body.plannable).toBe(true);
    expect(body.plan.parameters).toEqual({ service: 'web', grace_ms: 5000 });
    expect(body.plan.steps.map((s) => s.phase)).toEqual(['diagnose', 'backup', 'fix', 'verify']);
    expect(body.plan.steps[1]!.params).toMatchObject({ target: expect.stringContaining('conf'), backup_type: 'files' });
    expect(body.plan.steps[2]).toMatchObject({ decision: 'run', decisionReason: 'change, backed up and verified' });
    const after = (await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=500' })).json() as { items: unknown[] };
    expect(after.items.length).toBe(before.items.length);
    const tickets = (await t.app.inject({ method: 'GET', url: '/api/v1/tickets' })).json() as { items: unknown[] };
    expect(tickets.items).toHaveLength(0);
  });

  it('says why a runbook cannot be planned, and refuses a bad body with 400', async () => {
    const noService = await t.app.inject({ method: 'POST', url: '/api/v1/runbooks/restart-web/dry-run', payload: { description: 'something broke' } });
    expect(noService.json()).toMatchObject({ plannable: false, reason: 'runbook restart-web cannot be planned: the ticket names no service' });
    const badParam = await t.app.inject({ method: 'POST', url: '/api/v1/runbooks/restart-web/dry-run', payload: { context: { serviceName: 'web' }, params: { grace_ms: 1 } } });
    expect(badParam.json()).toMatchObject({ plannable: false, reason: expect.stringMatching(/parameter grace_ms: .*100/) });
    const unknownParam = await t.app.inject({ method: 'POST', url: '/api/v1/runbooks/restart-web/dry-run', payload: { context: { serviceName: 'web' }, params: { shell: 'sh' } } });
    expect(unknownParam.json()).toMatchObject({ plannable: false, reason: expect.stringMatching(/parameter shell is not declared/) });
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/runbooks/restart-web/dry-run', payload: { force: true } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('force');
  });

  it('MCP clients list runbooks and dry-run one with the SDK client, and get a tool error for an unknown one', async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await t.runtime.mcp.serverFor({ name: 'agent', role: 'operator' }).connect(serverSide);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(clientSide);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['runbook.list', 'runbook.dry_run']));
    const listed = await client.callTool({ name: 'runbook.list', arguments: { category: 'application' } }) as CallToolResult;
    const items = (listed.structuredContent as { items: Array<{ id: string }> }).items;
    expect(items.map((r) => r.id)).toContain('restart-web');
    const dry = await client.callTool({ name: 'runbook.dry_run', arguments: { runbook_id: 'restart-web', context: { service_name: 'web' } } }) as CallToolResult;
    expect(dry.isError).toBeFalsy();
    expect(dry.structuredContent).toMatchObject({ runbookId: 'restart-web', plannable: true, plan: { parameters: { service: 'web', grace_ms: 1000 } } });
    const unknown = await client.callTool({ name: 'runbook.dry_run', arguments: { runbook_id: 'nope' } }) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect(JSON.stringify(unknown.content)).toContain('RUNBOOK_NOT_FOUND');
    await client.close();
  });

  it('`twisterlab runbooks` lists, shows and dry-runs through the API', async () => {
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const api = new ApiClient({ baseUrl: base, apiKeyHeader: 'x-api-key' });
    const cli = (argv: string[]) => runCliWith(argv, api);
    let run = await cli(['runbooks']);
    expect(run.code).toBe(0);
    expect(run.lines.some((l) => /^restart-web\s+change\s+application/.test(l))).toBe(true);
    expect(run.lines.at(-1)).toMatch(/^\d+ runbooks$/);
    run = await cli(['runbooks', 'show', 'disk-space', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.lines[0]!)).toMatchObject({ summary: { id: 'disk-space' } });
    run = await cli(['runbooks', 'dry-run', 'restart-web', '--service', 'web', '--param', 'grace_ms=2500']);
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe('plan: restart-web — Restart the web service');
    expect(run.lines[1]).toBe('parameters: service="web" grace_ms=2500');
    expect(run.lines.some((l) => /backup\s+backup\.create_backup/.test(l))).toBe(true);
    run = await cli(['runbooks', 'dry-run', 'restart-web', 'nothing named here']);
    expect(run.code).toBe(3);
    expect(run.lines.at(-1)).toMatch(/^escalation: runbook restart-web cannot be planned: the ticket names no service/);
    await expect(cli(['runbooks', 'show', 'nope'])).rejects.toThrow(/404 RUNBOOK_NOT_FOUND: no runbook nope/);
  });
});

describe('twisterlab runbooks validate', () => {
  it('checks a directory offline and names what is wrong', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runbooks-validate-'));
    writeFileSync(path.join(dir, 'web.yaml'), userRunbook);
    const lines: string[] = [];
    expect(validateRunbooksCommand(dir, { write: (l) => lines.push(l) })).toBe(0);
    expect(lines[0]).toMatch(/^ok {2}restart-web\s+.*web\.yaml$/);
    expect(lines.at(-1)).toMatch(/^1 runbooks valid \(\d+ with the built-in ones\)/);
    writeFileSync(path.join(dir, 'web.yaml'), userRunbook.replace("'{{params.service}}' }\n    description: Probe the service", "'{{params.nope}}' }\n    description: Probe the service"));
    expect(() => validateRunbooksCommand(dir, { write: () => undefined })).toThrow(/web\.yaml, "restart-web", diagnose\[0\]: \{\{params\.nope\}\} uses a parameter that is not declared/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a bad user runbook stops the start', () => {
  it('names the file, the runbook and the field', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runbooks-bad-'));
    writeFileSync(path.join(dir, 'bad.yaml'), userRunbook.replace('capability: sync.sync_data', 'capability: sync.sync_everything'));
    await expect(startTestRuntime('pglite', { TWISTERLAB_RUNBOOKS_DIR: dir }))
      .rejects.toThrow(/bad\.yaml, "restart-web", fix\[0\]\.capability: no registered agent offers sync\.sync_everything/);
    rmSync(dir, { recursive: true, force: true });
  });
});
