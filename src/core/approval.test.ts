import { describe, expect, it } from 'vitest';
import { canonicalJson, stepHash } from './approval.ts';

describe('stepHash', () => {
  it('is the same for the same step whatever the key order of its parameters', () => {
    expect(stepHash('rb', 'cap.x', { a: 1, b: { d: [1, 2], c: 'x' } })).toBe(
      stepHash('rb', 'cap.x', { b: { c: 'x', d: [1, 2] }, a: 1 }),
    );
    expect(canonicalJson({ b: 1, a: [{ z: 1, y: null }] })).toBe('{"a":[{"y":null,"z":1}],"b":1}');
  });

  it('changes when the runbook, the capability or any parameter changes', () => {
    const base = stepHash('rb', 'cap.x', { path: '/var/cache', force: true });
    expect(stepHash('rb2', 'cap.x', { path: '/var/cache', force: true })).not.toBe(base);
    expect(stepHash('rb', 'cap.y', { path: '/var/cache', force: true })).not.toBe(base);
    expect(stepHash('rb', 'cap.x', { path: '/var/cache2', force: true })).not.toBe(base);
    expect(stepHash('rb', 'cap.x', { path: '/var/cache', force: 'true' })).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});
