/// <reference lib="dom" />
// What the console's browser tests share: a whole runtime on a loopback port (PGlite, API keys for two admins,
// an operator and a viewer, the approval test runbook), Debian's Chromium through playwright-core, signing in
// through the page, and axe-core injected from node_modules.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';
import { corruptCache, createTestOpsAgent, wipeRunbook } from '../approvals/approval-fixtures.ts';
import { ensureConsoleBuilt } from './console-build.ts';

export const KEYS = {
  alice: 'alice-admin-key-0001',
  carol: 'carol-admin-key-0002',
  bot: 'bot-operator-key-0003',
  vera: 'vera-viewer-key-0004',
};
const API_KEYS = `alice:admin:${KEYS.alice},carol:admin:${KEYS.carol},bot:operator:${KEYS.bot},vera:viewer:${KEYS.vera}`;
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ConsoleLab {
  rt: TestRuntime;
  base: string;
  browser: Browser;
  /** The file the test runbook's destructive step appends to; corrupt it with `corrupt()` so diagnosis confirms the fault. */
  sideEffectFile: string;
  corrupt(): void;
  close(): Promise<void>;
}

/** `env` adds settings to the runtime's (declared services, for example). */
export async function startConsoleLab(env: Record<string, string> = {}): Promise<ConsoleLab> {
  await ensureConsoleBuilt();
  const sideEffectFile = path.join(mkdtempSync(path.join(tmpdir(), 'twisterlab-console-')), 'wiped.log');
  const rt = await startTestRuntime(
    'pglite',
    { TWISTERLAB_API_KEYS: API_KEYS, ...env },
    { runbooks: [wipeRunbook(sideEffectFile)] },
  );
  rt.runtime.registry.register(createTestOpsAgent());
  const address = await rt.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return {
    rt,
    base: address,
    browser,
    sideEffectFile,
    corrupt: () => corruptCache(sideEffectFile),
    close: async () => {
      await browser.close();
      await rt.close();
    },
  };
}

/** A fresh browser context (its own cookies) signed in with the key, on the inbox. */
export async function signedIn(
  lab: ConsoleLab,
  key: string,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await lab.browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${lab.base}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  return { context, page };
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core on the page as it is; returns the serious and critical violations, described. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol: the console's CSP (rightly) refuses an inline script tag.
  await page.evaluate(AXE);
  const violations = (await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: unknown[] }> } }
    ).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  })) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
