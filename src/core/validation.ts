// Turns zod issues into one readable message that names each offending field.
import type { z } from 'zod';
import { TwisterError } from './errors.ts';
import { describeTextProblem, findTextProblem } from './text-guard.ts';

export function describeIssues(error: z.ZodError, limit = 5): string {
  const parts = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  if (error.issues.length > limit) parts.push(`and ${error.issues.length - limit} more`);
  return parts.join('; ');
}

/**
 * Parses or throws VALIDATION_FAILED with a message naming the fields and the issues in details. Every string in
 * the value is checked first (text-guard), whatever the schema says: this is the edge of capability and MCP input.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const text = findTextProblem(value);
  if (text) {
    throw new TwisterError('VALIDATION_FAILED', `invalid ${what}: ${describeTextProblem(text)}`, {
      issues: [
        { path: text.path === '(root)' ? [] : text.path.split('.'), message: text.problem, code: 'invalid_text' },
      ],
    });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new TwisterError('VALIDATION_FAILED', `invalid ${what}: ${describeIssues(result.error)}`, {
    issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code })),
  });
}
