// Removes secrets from text before it reaches a prompt, a log line or an API response, and fits text to a
// token budget. Builds on the URL credential redaction of service declarations.
import { redactCredentials } from './service-declarations.ts';

export const REDACTED = '[REDACTED]';

// Each pattern keeps its label (group 1) and replaces the secret. Bounded quantifiers only: linear matching.
const LABELLED = /\b((?:password|passwd|pwd|pass|secret|client_secret|token|access_token|refresh_token|api[_-]?key|apikey|auth|authorization|private[_-]?key|session(?:id)?|cookie)\s*[=:]\s*)("[^"\n]{1,512}"|'[^'\n]{1,512}'|[^\s,;&]{1,512})/gi;
const BEARER = /\b((?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=-]{12,4096}/gi;
const PRIVATE_KEY = /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,8192}?-----END [A-Z ]{0,40}PRIVATE KEY-----/g;
// Well-known token shapes: cloud keys, forge tokens, JWTs, chat-provider keys.
const SHAPED = /\b(?:AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{30,255}|glpat-[A-Za-z0-9_-]{20,255}|xox[abprs]-[A-Za-z0-9-]{10,255}|sk-[A-Za-z0-9_-]{20,255}|eyJ[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{8,2048})\b/g;
// Connection strings with a password parameter, e.g. `Server=db;User Id=sa;Password=...`.
const CONNECTION_PASSWORD = /\b((?:password|pwd)\s*=\s*)[^;\s]{1,512}/gi;

/** Every secret shape we know of replaced by [REDACTED]; URL user-info by `***@`. */
export function redactSecrets(text: string): string {
  return redactCredentials(text)
    .replace(PRIVATE_KEY, REDACTED)
    .replace(SHAPED, REDACTED)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(LABELLED, `$1${REDACTED}`)
    .replace(CONNECTION_PASSWORD, `$1${REDACTED}`);
}

/** A rough count (about four characters a token for English and code), enough to bound a prompt. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Cuts text to a token budget, keeping the start (where tickets say what is wrong) and marking the cut. */
export function truncateToTokens(text: string, budget: number): string {
  const limit = budget * 4;
  if (text.length <= limit) return text;
  return `${text.slice(0, Math.max(0, limit - 20))}\n[… truncated]`;
}

/** The text with secrets removed and how many were (counted by the markers the redaction added). */
export function redactCounted(text: string): { text: string; count: number } {
  const redacted = redactSecrets(text);
  const markers = (s: string) => s.split(REDACTED).length + s.split('***@').length - 2;
  return { text: redacted, count: Math.max(0, markers(redacted) - markers(text)) };
}

/** A JSON-like value (command output, an error) with every string in it redacted; other values as they are. */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactValue(item) as unknown) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item)])) as T;
  }
  return value;
}
