import { describe, expect, it } from 'vitest';
import { compileTerms, matchTerms, termSource, type TermRule } from './term-matcher.ts';

const rules: Array<TermRule<'a' | 'b' | 'c'>> = [
  { label: 'a', term: 'no space left', weight: 2 },
  { label: 'b', term: 'no space left on device', weight: 3 },
  { label: 'a', term: 'disk {full|almost full}', weight: 1 },
  { label: 'c', term: 'deadlock*', weight: 2 },
  { label: 'c', term: 'error #', weight: 1 },
  { label: 'b', term: 'sign-in', weight: 1 },
  { label: 'a', term: 'sign in', weight: 1 },
  { label: 'c', term: '{sign in|log in} problem', weight: 2 },
  { label: 'b', term: "can't {open|log in}", weight: 1 },
];
const compiled = compileTerms(rules);

const hit = (text: string) =>
  matchTerms(text, [compiled]).map(({ label, term, text: matched, start, end }) => ({
    label,
    term,
    text: matched,
    start,
    end,
  }));

describe('matchTerms', () => {
  it('takes the longest term where two start at the same word', () => {
    expect(hit('we get no space left on device since noon')).toEqual([
      { label: 'b', term: 'no space left on device', text: 'no space left on device', start: 7, end: 30 },
    ]);
    expect(hit('no  space_left, help')).toEqual([
      { label: 'a', term: 'no space left', text: 'no space left', start: 0, end: 14 },
    ]);
  });

  it('expands alternatives, word continuations and numbers, whole words only', () => {
    expect(hit('the disk almost full; deadlocks and error 502').map((h) => [h.term, h.text])).toEqual([
      ['disk {full|almost full}', 'disk almost full'],
      ['deadlock*', 'deadlocks'],
      ['error #', 'error 502'],
    ]);
    expect(hit('nodeadlock, error five, disks full')).toEqual([]);
  });

  it('reports the rule the alternation took when several could produce the text', () => {
    // "sign in problem" (longer) wins over "sign in"; a literal hyphen only matches its own term first.
    expect(hit('a sign in problem').map((h) => h.term)).toEqual(['{sign in|log in} problem']);
    expect(hit('the sign-in page').map((h) => h.term)).toEqual(['sign-in']);
    expect(hit('please sign in').map((h) => h.term)).toEqual(['sign in']);
    expect(hit("i can't log in").map((h) => h.term)).toEqual(["can't {open|log in}"]);
  });

  // The matcher finds a hit's rule without a capture group per rule; the reference is how it did with one: for any
  // text built from the terms' own words, both must report the same hits.
  it('finds the same hits as one capture group per rule, on generated text', () => {
    const ordered = [...rules].sort((a, b) => b.term.length - a.term.length);
    const groups = ordered.map((rule) => `(${termSource(rule.term)})`).join('|');
    const reference = new RegExp(String.raw`(?<![a-z0-9])(?:${groups})(?![a-z0-9])`, 'g');
    const vocabulary = [
      ...['no', 'space', 'left', 'on', 'device', 'disk', 'full', 'almost', 'deadlock', 'deadlocks', 'error', '502'],
      ...['sign', 'in', 'sign-in', 'log', 'problem', "can't", 'open', 'x', '-', '_', 'nodisk'],
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    let hits = 0;
    for (let round = 0; round < 3_000; round += 1) {
      const words = Array.from({ length: 1 + (next() % 12) }, () => vocabulary[next() % vocabulary.length]);
      const text = words.join(next() % 3 ? ' ' : '  ');
      const expected = [...text.matchAll(reference)].map((match) => {
        const index = match.findIndex((group, i) => i > 0 && group !== undefined);
        return [ordered[index - 1]!.term, match[0], match.index];
      });
      // One list: its hits never overlap, so matchTerms keeps them all.
      const found = matchTerms(text, [compiled]).map((h) => [h.term, text.slice(h.start, h.end), h.start]);
      expect(found, text).toEqual(expected);
      hits += found.length;
    }
    expect(hits).toBeGreaterThan(1_000);
  });
});
