import { describe, expect, it } from 'vitest';
import { editDistance, FuzzyIndex } from './fuzzy.ts';
import { stem } from './words.ts';

describe('near spellings', () => {
  it.each([
    ['prices', 'pricing'],
    ['invoices', 'invoicing'],
    ['bills', 'billing'],
    ['reports', 'reporting'],
    ['orders', 'ordering'],
    ['caches', 'cache'],
    ['policies', 'policy'],
    ['shipped', 'shipping'],
  ])('gives %s and %s one stem', (a, b) => {
    expect(stem(a)).toBe(stem(b));
  });

  it('counts a swap of two neighbouring letters as one edit and stops past the limit', () => {
    expect(editDistance('pricign', 'pricing', 2)).toBe(1);
    expect(editDistance('inventroy', 'inventory', 2)).toBe(1);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
  });

  it('allows one typo from five letters, two from eight, never on the first letter, and none in words with digits or everyday words', () => {
    const index = new FuzzyIndex(['pricing', 'inventory', 'redis', 'web01', 'servers', 'bill', 'billing']);
    expect(index.near('pricng')).toEqual([{ word: 'pricing', distance: 1 }]);
    expect(index.near('invnetroy')).toEqual([{ word: 'inventory', distance: 2 }]);
    expect(index.near('prcng')).toEqual([]);
    expect(index.near('rediss')).toEqual([{ word: 'redis', distance: 1 }]);
    expect(index.near('web02')).toEqual([]);
    expect(index.near('server')).toEqual([]);
    expect(index.near('bills')).toEqual([
      { word: 'bill', distance: 1 },
      { word: 'billing', distance: 1 },
    ]);
    expect(index.near('bell')).toEqual([]);
    expect(index.near('filling')).toEqual([]);
    expect(index.near('lnventory')).toEqual([]);
  });
});
