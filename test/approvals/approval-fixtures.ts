// A test-only destructive capability (it appends a line to a file, so a test can count how often it ran, and
// clears the cache's corruption), a read-only check that reports the corruption, and a runbook whose diagnosis
// confirms it and whose fix is the destructive step: enough to drive approvals end to end.
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    rmSync(corruptMarker(input.path), { force: true });
    return { wiped: true };
  },
});

const check = defineCapability({
  id: 'testops.check_cache',
  description: 'Test only: reports whether the cache is corrupt',
  risk: 'read',
  input: z.strictObject({ path: z.string() }),
  output: z.object({ healthy: z.boolean(), corrupt: z.boolean() }),
  run: async (input) => {
    const corrupt = existsSync(corruptMarker(input.path));
    return { healthy: !corrupt, corrupt };
  },
});

const corruptMarker = (sideEffectFile: string) => `${sideEffectFile}.corrupt`;

/** Breaks the cache the check looks at, until the next wipe. */
export function corruptCache(sideEffectFile: string): void {
  writeFileSync(corruptMarker(sideEffectFile), 'corrupt\n');
}

export const CACHE_FINDING = 'cache.corrupt';

export function createTestOpsAgent() {
  return defineAgent({ id: 'testops', description: 'Test-only operations', deps: {}, capabilities: [wipe, check] });
}

export function wipeRunbook(sideEffectFile: string): Runbook {
  return {
    id: 'test-wipe-cache',
    title: 'Wipe the cache (test)',
    categories: [...CATEGORIES],
    keywords: ['cache'],
    diagnose: [
      {
        id: 'check',
        capability: 'testops.check_cache',
        params: { path: sideEffectFile },
        description: 'Check the cache',
      },
    ],
    findings: [{ id: CACHE_FINDING, step: 'check', when: [{ path: 'corrupt', op: 'eq', value: true }] }],
    fix: [
      {
        capability: 'testops.wipe_cache',
        params: { path: sideEffectFile },
        description: 'Wipe the cache',
        addresses: CACHE_FINDING,
      },
    ],
    verify: [
      {
        capability: 'testops.check_cache',
        params: { path: sideEffectFile },
        description: 'Cache healthy',
        expect: [{ path: 'healthy', op: 'eq', value: true }],
      },
    ],
  };
}

export function sideEffectLines(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}
