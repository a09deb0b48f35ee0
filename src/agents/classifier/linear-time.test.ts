// Every pattern the classifier runs goes through the recheck ReDoS analyser: none may backtrack polynomially or
// exponentially, whatever the ticket says. The regex literals are collected by parsing the classifier's source
// (none copied by hand), and the term patterns are taken as the classifier compiled them. The check is
// deterministic (fixed seed, no time limits), so it says the same on a loaded machine. The time the classifier
// takes on long and pathological input is printed by bench/triage-text.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectLinearTime } from '../../../test/helpers/linear-time.ts';
import { regexSources, sourceFiles } from '../../../test/helpers/regex-sources.ts';
import { TERM_PATTERNS } from './classify-ticket.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const found = regexSources(ROOT, sourceFiles(ROOT, ['src/agents/classifier']));
const patterns: Array<[string, RegExp]> = [
  ...found.literals.map(
    ({ where, pattern }) => [`${where} /${pattern.source.slice(0, 40)}/`, pattern] as [string, RegExp],
  ),
  ...TERM_PATTERNS.map(
    (pattern, i) => [`term list ${i} (${pattern.source.length} characters)`, pattern] as [string, RegExp],
  ),
];

describe('the classifier patterns', () => {
  it('are all here: the literals of its source, and the term lists it builds at run time (the only RegExp it constructs)', () => {
    expect(found.literals.length).toBeGreaterThanOrEqual(5);
    expect(found.constructed.map((where) => where.replace(/:\d+$/, ''))).toEqual([
      'src/agents/classifier/term-matcher.ts',
    ]);
    expect(TERM_PATTERNS.length).toBeGreaterThanOrEqual(3);
  });

  it.each(patterns)('%s cannot backtrack beyond linear time', (_name, pattern) => expectLinearTime(pattern), 600_000);
});
