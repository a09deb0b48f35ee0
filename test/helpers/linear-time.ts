// The ReDoS proof the pattern tests share: recheck run deterministically (a fixed seed and no time limits, so it
// says the same on a loaded machine), asserting the pattern cannot backtrack beyond linear time.
import { checkSync } from 'recheck';
import { expect } from 'vitest';

/** Asserts recheck finds `pattern` safe; a vulnerable one fails naming the attack string. */
export function expectLinearTime(pattern: RegExp, checker?: 'fuzz'): void {
  const result = checkSync(pattern.source, pattern.flags.replace(/[gy]/g, ''), {
    ...(checker ? { checker } : {}),
    randomSeed: 20261205,
    timeout: null,
    attackTimeout: null,
    incubationTimeout: null,
    recallTimeout: null,
    seedingTimeout: null,
  });
  expect(result.status, JSON.stringify(result.status === 'vulnerable' ? result.attack : result)).toBe('safe');
}
