import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_TEXT_LENGTH, findTextProblem, text, textProblem } from './text-guard.ts';
import { parseOrThrow } from './validation.ts';

describe('textProblem', () => {
  it('names a NUL, another control character, a lone surrogate or a noncharacter and where it is', () => {
    expect(textProblem('disk full\u0000now')).toBe('contains a NUL character at position 9');
    expect(textProblem('\u001b[31mred')).toBe('contains a control character U+001B at position 0');
    expect(textProblem('a\u007fb')).toBe('contains a control character U+007F at position 1');
    expect(textProblem('a\u009bb')).toBe('contains a control character U+009B at position 1');
    expect(textProblem('ab\ud800')).toBe('contains a lone surrogate U+D800 at position 2');
    expect(textProblem('\udc00ab')).toBe('contains a lone surrogate U+DC00 at position 0');
    expect(textProblem('x\ufffe')).toBe('contains the noncharacter U+FFFE at position 1');
    expect(textProblem('\uffff')).toBe('contains the noncharacter U+FFFF at position 0');
    expect(textProblem('\ufdd0')).toBe('contains the noncharacter U+FDD0 at position 0');
    expect(textProblem('\u{10ffff}')).toBe('contains the noncharacter U+10FFFF at position 0');
  });

  it('counts a character outside the BMP as one position', () => {
    expect(textProblem('😀\u0000')).toBe('contains a NUL character at position 1');
  });

  it('accepts tab, newline, carriage return, accents, emoji, right-to-left text and the private use area', () => {
    for (const ok of [
      'line one\n\tline two\r\n',
      'Ça ne marche plus, été',
      'server 😀 down',
      'שרת נפל',
      '\ue000',
      '\u00a0\u2028',
      '',
    ]) {
      expect(textProblem(ok), JSON.stringify(ok)).toBeUndefined();
    }
  });

  it('refuses a string longer than any field takes, saying how long it is', () => {
    expect(textProblem('a'.repeat(MAX_TEXT_LENGTH))).toBeUndefined();
    expect(textProblem('a'.repeat(MAX_TEXT_LENGTH + 1))).toBe(
      `is ${MAX_TEXT_LENGTH + 1} characters long; at most ${MAX_TEXT_LENGTH} are taken`,
    );
  });
});

describe('findTextProblem', () => {
  it('finds a bad string at any depth and names its path', () => {
    expect(findTextProblem({ context: { device_id: 'web-1', tags: ['ok', 'b\u0000d'] } })).toEqual({
      path: 'context.tags.1',
      problem: 'contains a NUL character at position 1',
    });
    expect(findTextProblem('\u0007')).toEqual({
      path: '(root)',
      problem: 'contains a control character U+0007 at position 0',
    });
  });

  it('checks object keys without echoing them', () => {
    expect(findTextProblem({ params: { 'ke\u0000y': 1 } })).toEqual({
      path: 'params',
      problem: 'a key contains a NUL character at position 2',
    });
  });

  it('passes numbers, booleans, null and clean nested text, and survives a deeply nested value', () => {
    expect(findTextProblem({ a: 1, b: true, c: null, d: [{ e: 'fine\n' }] })).toBeUndefined();
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 10_000; i += 1) deep = [deep];
    expect(findTextProblem(deep)).toMatchObject({
      path: '0.0.0.0.0.0.0.0.….0.0.0.0.0.0.0.0',
      problem: 'contains a NUL character at position 1',
    });
  });
});

describe('the text schema and parseOrThrow', () => {
  it('text() refuses bad characters with positions in the string as given, before trimming', () => {
    const description = z.strictObject({ description: text().trim().min(1).max(20) });
    const result = description.safeParse({ description: '  a\u0000b' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['description'],
      message: 'contains a NUL character at position 3',
    });
    expect(description.parse({ description: '  fine  ' })).toEqual({ description: 'fine' });
  });

  it('parseOrThrow refuses bad text in any field, whatever the schema allows, naming the field', () => {
    const loose = z.object({ note: z.string(), extra: z.unknown() });
    expect(() => parseOrThrow(loose, { note: 'ok', extra: { deep: ['\ud83d'] } }, 'input for x.y')).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        message: 'invalid input for x.y: extra.deep.0: contains a lone surrogate U+D83D at position 0',
      }),
    );
  });
});
