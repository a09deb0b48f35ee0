// Runbook templates: `{{path}}` in a step's parameters, filled from the analysis and the runbook's parameters at
// planning time, and from earlier steps' outputs (`{{steps.<id>.<path>}}`) when the step runs.
//
// A string that is exactly one template takes the value as it is (a number stays a number, an array an array).
// A template inside a longer string (`journalctl -u {{params.unit}}`) only takes a plain word: no spaces, quotes or
// shell characters, and no leading "-", so a value can never add an argument or an option to a command.

const WHOLE = /^\{\{\s*([a-zA-Z0-9_.-]+)\s*\}\}$/;
const ANY = /\{\{\s*([a-zA-Z0-9_.-]+)\s*\}\}/g;
const PLAIN_WORD = /^[A-Za-z0-9_.:/@%+=,~-]+$/;

/** Templates filled only when the step runs: outputs of earlier steps. */
export const RUNTIME_ROOT = 'steps';

export type Scope = Record<string, unknown>;

export class TemplateError extends Error {
  constructor(readonly template: string, message: string) {
    super(message);
  }
}

export function lookupPath(scope: unknown, path: string): unknown {
  let value: unknown = scope;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** The template paths a value uses, in order of appearance. */
export function templatePaths(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(ANY)].map((m) => m[1]!);
  if (Array.isArray(value)) return value.flatMap(templatePaths);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(templatePaths);
  return [];
}

export function isRuntimePath(path: string): boolean {
  return path === RUNTIME_ROOT || path.startsWith(`${RUNTIME_ROOT}.`);
}

/** Which templates to leave for the run: every `{{steps.…}}` (true), none (false), or those a predicate keeps. */
export type KeepRuntime = boolean | ((path: string) => boolean);

const keeps = (keep: KeepRuntime, path: string) => isRuntimePath(path) && (typeof keep === 'function' ? keep(path) : keep);

function fillString(text: string, scope: Scope, keepRuntime: KeepRuntime): unknown {
  const whole = WHOLE.exec(text);
  if (whole) {
    const path = whole[1]!;
    if (keeps(keepRuntime, path)) return text;
    const value = lookupPath(scope, path);
    if (value === undefined || value === null || value === '') throw new TemplateError(path, `{{${path}}} has no value`);
    return value;
  }
  return text.replace(ANY, (match, path: string) => {
    if (keeps(keepRuntime, path)) return match;
    const value = lookupPath(scope, path);
    if (value === undefined || value === null || value === '') throw new TemplateError(path, `{{${path}}} has no value`);
    const word = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
    if (word === undefined || !PLAIN_WORD.test(word) || word.startsWith('-')) {
      throw new TemplateError(path, `{{${path}}} inside a longer string must be a plain word (letters, digits, . _ : / @ % + = , ~ -, not starting with "-")`);
    }
    return word;
  });
}

/**
 * Fills every template in a value (strings, arrays and objects, deeply). Throws TemplateError naming the first
 * template without a value. With keepRuntime, `{{steps.…}}` templates are left for the run.
 */
export function fillTemplates<T>(value: T, scope: Scope, keepRuntime: KeepRuntime = false): T {
  if (typeof value === 'string') return fillString(value, scope, keepRuntime) as T;
  if (Array.isArray(value)) return value.map((v) => fillTemplates(v, scope, keepRuntime)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplates(v, scope, keepRuntime)])) as T;
  }
  return value;
}

/** Like fillTemplates, but answers undefined instead of throwing (the runbook does not fit). */
export function tryFill<T>(value: T, scope: Scope, keepRuntime: KeepRuntime = false): { ok: true; value: T } | { ok: false; reason: string } {
  try {
    return { ok: true, value: fillTemplates(value, scope, keepRuntime) };
  } catch (error) {
    if (error instanceof TemplateError) return { ok: false, reason: error.message };
    throw error;
  }
}

export function hasRuntimeTemplates(value: unknown): boolean {
  return templatePaths(value).some(isRuntimePath);
}
