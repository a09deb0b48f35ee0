// Text taken from the server (queries, application names) as it may be shown: secrets redacted, then cut.
import { redactSecrets } from '../../core/redaction.ts';

export const QUERY_TEXT_LIMIT = 200;

/** Redacted before it is cut, so a cut can never leave half a secret that no longer looks like one. */
export function shownText(text: string | null | undefined, limit = QUERY_TEXT_LIMIT): string {
  if (!text) return '';
  const redacted = redactSecrets(text);
  return redacted.length <= limit ? redacted : redacted.slice(0, limit);
}

/** Milliseconds as a whole, non-negative number (null ages, e.g. no transaction, are 0). */
export function ms(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}
