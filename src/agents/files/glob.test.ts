import { describe, expect, it } from 'vitest';
import { globProblem, globToRegExp, matchesGlob } from './glob.ts';

const matches = (glob: string, name: string) => matchesGlob(name, globToRegExp(glob), glob);

describe('file-name globs', () => {
  it('matches stars, question marks and classes against whole names', () => {
    expect(matches('*.log', 'app.log')).toBe(true);
    expect(matches('*.log', 'app.log.1.gz')).toBe(false);
    expect(matches('*.log', 'app.txt')).toBe(false);
    expect(matches('app-?.log', 'app-1.log')).toBe(true);
    expect(matches('app-?.log', 'app-12.log')).toBe(false);
    expect(matches('app-[0-9].log', 'app-7.log')).toBe(true);
    expect(matches('app-[!0-9].log', 'app-7.log')).toBe(false);
    expect(matches('app-[!0-9].log', 'app-x.log')).toBe(true);
  });

  it('takes regular-expression characters literally', () => {
    expect(matches('a+b(1).log', 'a+b(1).log')).toBe(true);
    expect(matches('a+b(1).log', 'aab1.log')).toBe(false);
    expect(matches('[.log', '[.log')).toBe(true);
    expect(matches('x.log', 'xxlog')).toBe(false);
  });

  it('leaves hidden files to globs that name the dot', () => {
    expect(matches('*.log', '.hidden.log')).toBe(false);
    expect(matches('.*.log', '.hidden.log')).toBe(true);
  });

  it('refuses globs that reach into paths', () => {
    expect(globProblem('../*.log')).toMatch(/file names only/);
    expect(globProblem('a\0b')).toMatch(/file names only/);
    expect(globProblem('')).toMatch(/1 to 255/);
    expect(globProblem('*.log')).toBeUndefined();
  });
});
