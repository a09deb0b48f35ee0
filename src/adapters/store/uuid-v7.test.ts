import { describe, expect, it } from 'vitest';
import { uuidV7 } from './uuid-v7.ts';

describe('uuidV7', () => {
  it('produces RFC 9562 version 7 ids that carry the millisecond timestamp', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const id = uuidV7(at + 1_000_000);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at + 1_000_000);
  });

  it('gives each id random bits of its own, across refills of its pool of random bytes', () => {
    const at = Date.now() + 20_000_000;
    // Past the clock: every id has the same timestamp, so the counter and the random bits tell them apart.
    const tails = Array.from({ length: 2_000 }, () => uuidV7(at).replace(/-/g, '').slice(16));
    expect(new Set(tails).size).toBe(tails.length);
    // 62 random bits each: the variant's two bits aside, each of the 64 bit positions is set in about half the ids.
    for (let bit = 2; bit < 64; bit += 1) {
      const set = tails.filter((t) => (BigInt(`0x${t}`) >> BigInt(63 - bit)) & 1n).length;
      expect(set).toBeGreaterThan(850);
      expect(set).toBeLessThan(1_150);
    }
  });

  it('sorts each id after the previous one, even thousands within one millisecond or with the clock going back', () => {
    const base = Date.now() + 10_000_000;
    const ids = Array.from({ length: 10_000 }, (_, i) => uuidV7(i === 5_000 ? base - 50 : base));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
