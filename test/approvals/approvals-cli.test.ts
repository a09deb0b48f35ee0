// The CLI against a listening API: `ticket submit --wait` stops at awaiting_approval (exit 4, with a hint),
// `approvals` lists the step, the requester's `approve` is refused, another admin's runs it; `deny` escalates.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.ts';
import { submitCommand } from '../../src/cli/ticket-commands.ts';
import type { Approval } from '../../src/core/approval.ts';
import { runCliWith } from '../helpers/run-cli.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';
import { corruptCache, createTestOpsAgent, sideEffectLines, wipeRunbook } from './approval-fixtures.ts';

const KEYS = { alice: 'alice-admin-key-0001', carol: 'carol-admin-key-0002' };
let rt: TestRuntime;
let file: string;
let base: string;

const clientFor = (key: string) => new ApiClient({ baseUrl: base, apiKeyHeader: 'x-api-key', apiKey: key });

function capture() {
  const lines: string[] = [];
  return { lines, out: { write: (line: string) => lines.push(line) } };
}

async function waitFor(id: string, statuses: string[]): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = (await rt.runtime.opened.store.get(id))!.status;
    if (statuses.includes(status) || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function submitAndList(): Promise<{ ticketId: string; approval: Approval; lines: string[]; code: number }> {
  corruptCache(file);
  const submitted = capture();
  const code = await submitCommand(
    clientFor(KEYS.alice),
    {
      text: 'The application cache on this server is corrupt, please wipe the cache',
      dryRun: false,
      wait: true,
      json: false,
      context: {},
    },
    submitted.out,
  );
  const ticketId = submitted.lines[0]!.split(/\s+/)[1]!;
  const listed = await runCliWith(
    ['approvals', '--status', 'pending', '--ticket', ticketId, '--json'],
    clientFor(KEYS.carol),
  );
  expect(listed.code).toBe(0);
  const { items } = JSON.parse(listed.lines[0]!) as { items: Approval[] };
  expect(items).toHaveLength(1);
  return { ticketId, approval: items[0]!, lines: submitted.lines, code };
}

beforeAll(async () => {
  file = path.join(mkdtempSync(path.join(tmpdir(), 'twisterlab-approval-')), 'wiped.log');
  rt = await startTestRuntime(
    'pglite',
    { TWISTERLAB_API_KEYS: `alice:admin:${KEYS.alice},carol:admin:${KEYS.carol}` },
    { runbooks: [wipeRunbook(file)] },
  );
  rt.runtime.registry.register(createTestOpsAgent());
  base = await rt.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => rt?.close());

describe('approvals from the CLI', () => {
  it('waits, refuses the requester, and runs the step once on another admin approval', async () => {
    const { ticketId, approval, lines, code } = await submitAndList();
    expect(code).toBe(4);
    expect(lines.join('\n')).toMatch(/status {4}awaiting_approval[\s\S]*twisterlab approve <id>/);
    await expect(runCliWith(['approve', approval.id], clientFor(KEYS.alice))).rejects.toThrow(
      /403 FORBIDDEN: key alice requested/,
    );
    const approved = await runCliWith(['approve', approval.id, '--wait'], clientFor(KEYS.carol));
    expect(approved.lines[0]).toMatch(/approved .* by carol/);
    expect(approved.stdout).toMatch(/status {4}resolved/);
    expect(approved.code).toBe(0);
    expect(await waitFor(ticketId, ['resolved', 'escalated'])).toBe('resolved');
    expect(sideEffectLines(file)).toBe(1);
  });

  it('denies with a reason and the ticket is escalated', async () => {
    const { ticketId, approval } = await submitAndList();
    const missing = await runCliWith(['deny', approval.id], clientFor(KEYS.carol));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--reason <text>' not specified/);
    expect((await runCliWith(['deny', approval.id, '--reason', 'change freeze'], clientFor(KEYS.carol))).code).toBe(0);
    expect(await waitFor(ticketId, ['escalated'])).toBe('escalated');
    expect(sideEffectLines(file)).toBe(1);
  });
});
