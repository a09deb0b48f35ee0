// Every prompt-guard pattern goes through the recheck ReDoS analyser: none may backtrack polynomially or
// exponentially, whatever the ticket says. The fuzz checker runs with a fixed seed and no time limits, so it says
// the same on a loaded machine (the automaton checker takes far longer on these large alternations).
import { describe, it } from 'vitest';
import { expectLinearTime } from '../../test/helpers/linear-time.ts';
import { INJECTION_PATTERNS } from './prompt-patterns.ts';

const patterns = INJECTION_PATTERNS.map(
  ({ family, pattern }, i) => [`${family} pattern ${i}`, pattern] as [string, RegExp],
);

describe('the prompt-guard patterns', () => {
  it.each(patterns)(
    '%s cannot backtrack beyond linear time',
    (_name, pattern) => expectLinearTime(pattern, 'fuzz'),
    600_000,
  );
});
