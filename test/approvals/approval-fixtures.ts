// A test-only destructive capability (it appends a line to a file, so a test can count how often it ran), a
// read-only check, and a runbook that plans the destructive step: enough to drive approvals end to end.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineAgent, defineCapability } from '../../src/core/capability.ts';
import type { Runbook } from '../../src/core/runbooks/runbook.ts';
import { CATEGORIES } from '../../src/core/ticket.ts';

const wipe = defineCapability({
  id: 'testops.wipe_cache',
  description: 'Test only: wipes a cache (appends one line to a side-effect file)',
  risk: 'destructive',
  input: z.strictObject({ path: z.string() }),
  output: z.object({ wiped: z.boolean() }),
  run: async (input) => {
    appendFileSync(input.path, 'wiped\n');
    return { wiped: true };
  },
});

const check = defineCapability({
  id: 'testops.check_cache',
  description: 'Test only: reports the cache as healthy',
  risk: 'read',
  input: z.strictObject({}),
  output: z.object({ healthy: z.boolean() }),
  run: async () => ({ healthy: true }),
});

export function createTestOpsAgent() {
  return defineAgent({ id: 'testops', description: 'Test-only operations', deps: {}, capabilities: [wipe, check] });
}

export function wipeRunbook(sideEffectFile: string): Runbook {
  return {
    id: 'test-wipe-cache', title: 'Wipe the cache (test)', categories: [...CATEGORIES], keywords: ['cache'],
    diagnose: [{ capability: 'testops.check_cache', params: {}, description: 'Check the cache' }],
    fix: [{ capability: 'testops.wipe_cache', params: { path: sideEffectFile }, description: 'Wipe the cache' }],
    verify: [{ capability: 'testops.check_cache', params: {}, description: 'Cache healthy', expect: [{ path: 'healthy', op: 'eq', value: true }] }],
  };
}

export function sideEffectLines(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}
