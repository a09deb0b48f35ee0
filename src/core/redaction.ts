// Removes secrets from text before it is stored, logged, returned by the API or put in a prompt, and fits text
// to a token budget. Provider token shapes come from the rule data (secrets/rules.json); labelled values
// (`KEY=…`, `"password": "…"`, "my password is …" in seven languages) from secrets/labelled-values.ts.
import { redactLabelledValues, redactPrivateKeys } from './secrets/labelled-values.ts';
import { isAssignedSecret, isSecretKey } from './secrets/secret-words.ts';
import { redactTokens } from './secrets/token-rules.ts';
import { redactCredentials } from './service-declarations.ts';

export const REDACTED = '[REDACTED]';

// Short texts come back again and again (a status, a cue, a step's description, a key of an output): each costs
// every rule (some 15 µs) however short it is, so the short ones found clean are remembered. Only clean texts are:
// a text that held a secret is not kept in memory any longer than its caller keeps it.
const CLEAN_MAX_LENGTH = 200;
const CLEAN_MAX_ENTRIES = 4096;
const clean = new Set<string>();

/** Every secret shape we know of replaced by [REDACTED]; URL user-info by `***@`. */
export function redactSecrets(text: string): string {
  if (text.length === 0) return text;
  const short = text.length <= CLEAN_MAX_LENGTH;
  if (short && clean.has(text)) return text;
  const keys = redactPrivateKeys(text, REDACTED);
  const redacted = redactLabelledValues(redactCredentials(redactTokens(keys, REDACTED)), REDACTED);
  if (short && redacted === text) {
    // Oldest first out: a Set iterates in insertion order.
    if (clean.size >= CLEAN_MAX_ENTRIES) clean.delete(clean.values().next().value!);
    clean.add(text);
  }
  return redacted;
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

/**
 * A JSON-like value (command output, step params, an error, audit details) with every string in it redacted;
 * a string or number under a secret's name (`{ password: … }`) is hidden whole, and an `argv` array is read as
 * a command line (the argument after `--password` goes). Other values as they are.
 */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactValue(item) as unknown) as T;
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactField(key, item)])) as T;
  }
  return value;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** One named value of an object, redacted as redactValue does inside objects (by its name, then its content). */
export function redactField(key: string, item: unknown): unknown {
  if (key === 'argv' && Array.isArray(item) && item.every((arg) => typeof arg === 'string')) return redactArgv(item);
  const scalar = typeof item === 'string' || typeof item === 'number' ? String(item) : undefined;
  if (scalar !== undefined && isSecretKey(key) && isAssignedSecret(scalar)) return REDACTED;
  return redactValue(item);
}

// Flags whose next argument is the secret (`--password X`, `sshpass -p X`, `curl -u user:pass`).
const SECRET_NEXT =
  /^--?(?:[\w-]*(?:password|passwd|passphrase|secret|token|api-?key|access-?key|private-?key|credentials?)[\w-]*|pass|pwd)$/i;

/**
 * A command's argument vector with each argument redacted, the argument after a secret-taking flag hidden, and
 * any argument that is part of a secret spread over several (`Authorization:` `Basic` `dXNl…`, a key block) hidden:
 * an argument that the redacted command line no longer contains, even redacted itself, was (part of) a secret.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const program = (argv[0] ?? '').split('/').at(-1) ?? '';
  const line = redactSecrets(argv.join(' '));
  return argv.map((arg, index) => {
    const previous = index > 0 ? argv[index - 1]! : '';
    const takesSecret =
      SECRET_NEXT.test(previous) ||
      (program === 'sshpass' && previous === '-p') ||
      (/^(?:-u|--user)$/.test(previous) && arg.includes(':'));
    if (takesSecret && isAssignedSecret(arg)) return REDACTED;
    const shown = redactSecrets(arg);
    return shown.length >= 4 && !line.includes(shown) ? REDACTED : shown;
  });
}
