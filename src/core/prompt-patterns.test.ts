// Every prompt-guard pattern goes through the recheck ReDoS analyser: none may backtrack polynomially or
// exponentially, whatever the ticket says. The fuzz checker runs with a fixed seed and no time limits, so it says
// the same on a loaded machine (the automaton checker takes far longer on these large alternations).
import { checkSync } from 'recheck';
import { describe, expect, it } from 'vitest';
import { INJECTION_PATTERNS } from './prompt-patterns.ts';

const DETERMINISTIC = {
  checker: 'fuzz',
  randomSeed: 20261205,
  timeout: null,
  attackTimeout: null,
  incubationTimeout: null,
  recallTimeout: null,
  seedingTimeout: null,
} as const;

const patterns = INJECTION_PATTERNS.map(
  ({ family, pattern }, i) => [`${family} pattern ${i}`, pattern] as [string, RegExp],
);

describe('the prompt-guard patterns', () => {
  it.each(patterns)(
    '%s cannot backtrack beyond linear time',
    (_name, pattern) => {
      const result = checkSync(pattern.source, pattern.flags.replace(/[gy]/g, ''), DETERMINISTIC);
      expect(result.status, JSON.stringify(result.status === 'vulnerable' ? result.attack : result)).toBe('safe');
    },
    600_000,
  );
});
