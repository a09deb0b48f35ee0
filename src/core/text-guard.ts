// What text may enter the platform: no NUL, no other control character but tab, newline and carriage return,
// no lone surrogate, no Unicode noncharacter, and no string longer than any field takes. A database refuses some
// of these (PostgreSQL: NUL), terminals and logs obey others (escape sequences), and no person types any of them,
// so they are refused at every edge (the HTTP hook, parseOrThrow for capability and MCP tool input) with a message
// naming the field. `text()` is the same rule as a zod schema.
import { z } from 'zod';

/** The longest string any field takes: well above a ticket description (20,000 characters). */
export const MAX_TEXT_LENGTH = 32_768;

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function refused(cp: number): boolean {
  if (cp < 0x20) return cp !== TAB && cp !== LF && cp !== CR;
  if (cp >= 0x7f && cp <= 0x9f) return true; // DEL and the C1 controls (U+009B opens a terminal escape)
  if (cp >= 0xd800 && cp <= 0xdfff) return true; // iterating by code point, only a lone surrogate comes out alone
  if (cp >= 0xfdd0 && cp <= 0xfdef) return true;
  return (cp & 0xfffe) === 0xfffe; // U+FFFE, U+FFFF and their twins in every plane
}

function describe(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0) return 'a NUL character';
  if (cp >= 0xd800 && cp <= 0xdfff) return `a lone surrogate ${hex}`;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return `a control character ${hex}`;
  return `the noncharacter ${hex}`;
}

/** Why a string may not enter, or undefined. Positions count characters (code points) from 0. */
export function textProblem(value: string, max = MAX_TEXT_LENGTH): string | undefined {
  if (value.length > max) return `is ${value.length} characters long; at most ${max} are taken`;
  let position = 0;
  for (const char of value) {
    const cp = char.codePointAt(0)!;
    if (refused(cp)) return `contains ${describe(cp)} at position ${position}`;
    position += 1;
  }
  return undefined;
}

export interface TextProblem {
  /** Where, as `a.b.2` (`(root)` for the value itself). */
  path: string;
  problem: string;
}

/**
 * A string (or object key) anywhere in a parsed JSON value that may not enter, with where it is. Walks without recursion,
 * so a deeply nested body cannot exhaust the stack.
 */
export function findTextProblem(value: unknown): TextProblem | undefined {
  // Paths are parent links, turned into text only for the one problem reported.
  const stack: Array<{ value: unknown; path: PathLink | undefined }> = [{ value, path: undefined }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return { path: pathText(path), problem };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    const entries = Array.isArray(current) ? current.map((v, i) => [String(i), v] as const) : Object.entries(current);
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, child] = entries[i]!;
      // A key is never echoed: it may be the offending text itself.
      const keyProblem = Array.isArray(current) ? undefined : textProblem(key, 200);
      if (keyProblem) return { path: pathText(path), problem: `a key ${keyProblem}` };
      stack.push({ value: child, path: { key, parent: path } });
    }
  }
  return undefined;
}

interface PathLink {
  key: string;
  parent: PathLink | undefined;
}

function pathText(path: PathLink | undefined): string {
  const keys: string[] = [];
  for (let link = path; link; link = link.parent) keys.push(link.key);
  if (keys.length === 0) return '(root)';
  keys.reverse();
  // A deeply nested value must not make the message as long as the body.
  return keys.length > 16 ? `${keys.slice(0, 8).join('.')}.….${keys.slice(-8).join('.')}` : keys.join('.');
}

/** One line naming the field and the problem, e.g. `description: contains a NUL character at position 12`. */
export function describeTextProblem(found: TextProblem): string {
  return `${found.path}: ${found.problem}`;
}

/** A zod string that refuses what may not enter; chain `.trim()`, `.min()`, `.max()` as with `z.string()`. */
export function text(max = MAX_TEXT_LENGTH) {
  return z.string().superRefine((value, ctx) => {
    const problem = textProblem(value, max);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}
