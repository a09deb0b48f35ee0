// Turns zod issues into one readable message that names each offending field.
import type { z } from 'zod';
import { TwisterError } from './errors.ts';

export function describeIssues(error: z.ZodError, limit = 5): string {
  const parts = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  if (error.issues.length > limit) parts.push(`and ${error.issues.length - limit} more`);
  return parts.join('; ');
}

/** Parses or throws VALIDATION_FAILED with a message naming the fields and the issues in details. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new TwisterError('VALIDATION_FAILED', `invalid ${what}: ${describeIssues(result.error)}`, {
    issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code })),
  });
}
