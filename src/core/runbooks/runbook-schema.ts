// The runbook file format, checked at load: shape (zod), then references — every `{{params.x}}` is declared,
// every `{{steps.y…}}` names an earlier step, every capability exists. Errors name the file, runbook and field.
import { z } from 'zod';
import { RISKS } from '../capability.ts';
import { TwisterError } from '../errors.ts';
import { FINDING_ID } from '../findings/catalogue.ts';
import { CATEGORIES } from '../ticket.ts';
import { addressedBy, REQUIREMENTS, type Runbook, type RunbookParameter, type RunbookStep } from './runbook.ts';
import { isRuntimePath, RUNTIME_ROOT, templatePaths } from './template.ts';

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const STEP_ID = /^[a-z][a-z0-9_]{0,63}$/;
/** Roots a planning-time template may start from. */
const PLANNING_ROOTS = new Set(['context', 'found', 'service', 'analysis', 'params']);

const condition = z.strictObject({
  path: z.string().min(1).max(200),
  op: z.enum(['eq', 'ne', 'lt', 'lte', 'gt', 'gte']),
  value: z.union([z.string().max(500), z.number(), z.boolean()]),
});

const step = z.strictObject({
  id: z.string().regex(STEP_ID, 'a step id is lower case letters, digits and "_", starting with a letter').optional(),
  capability: z.string().regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/, 'a capability id is agent.capability'),
  params: z.record(z.string(), z.unknown()).default({}),
  description: z.string().min(1).max(300),
  expect: z.array(condition).max(20).optional(),
  backup: z.strictObject({
    target: z.string().min(1),
    type: z.enum(['files', 'postgres', 'redis']),
    deviceId: z.string().min(1).optional(),
    pattern: z.string().min(1).optional(),
  }).optional(),
  risk: z.enum(RISKS).optional(),
  withoutBackup: z.string().min(3).max(300).optional(),
  when: condition.optional(),
  addresses: z.union([
    z.string().regex(FINDING_ID, 'a finding id is <domain>.<name>, e.g. postgres.lock_contention'),
    z.array(z.string().regex(FINDING_ID, 'a finding id is <domain>.<name>')).min(1).max(10),
  ]).optional(),
  needs: z.array(z.string().regex(FINDING_ID, 'a finding id is <domain>.<name>')).min(1).max(20).optional(),
  if: z.string().regex(/^\{\{\s*[a-zA-Z0-9_.]+\s*\}\}$/, 'if is one template, e.g. "{{service.page}}"').optional(),
});

const parameter = z.strictObject({
  description: z.string().max(300).optional(),
  from: z.string().regex(/^\{\{\s*[a-zA-Z0-9_.]+\s*\}\}$/, 'from is one template, e.g. "{{context.serviceName}}"').optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  type: z.enum(['string', 'integer', 'number', 'boolean']),
  pattern: z.string().max(300).optional(),
  enum: z.array(z.union([z.string(), z.number()])).min(1).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  maxLength: z.number().int().positive().optional(),
});

export const runbookFileSchema = z.strictObject({
  id: z.string().regex(ID, 'a runbook id is lower case letters, digits, "-" and "_" (at most 64)'),
  title: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  categories: z.array(z.enum(CATEGORIES)).min(1),
  keywords: z.array(z.string().min(1).max(60).transform((k) => k.toLowerCase())).max(100).default([]),
  requires: z.array(z.enum(REQUIREMENTS)).optional(),
  requireKeyword: z.boolean().optional(),
  serviceKinds: z.array(z.enum(['http', 'tcp', 'postgres', 'redis'])).min(1).optional(),
  parameters: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a parameter name is snake_case'), parameter).optional(),
  diagnose: z.array(step).max(30).default([]),
  fix: z.array(step).max(30).default([]),
  verify: z.array(step).max(30).default([]),
  rollback: z.array(step).max(30).optional(),
  findings: z.array(z.strictObject({
    id: z.string().regex(FINDING_ID, 'a finding id is <domain>.<name>, e.g. postgres.lock_contention'),
    step: z.string().regex(STEP_ID, 'step names a diagnose step by its id'),
    when: z.array(condition).min(1).max(20),
    evidence: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.string().min(1).max(200)).optional(),
  })).max(30).optional(),
  onVerifyFailure: z.enum(['rollback', 'keep']).optional(),
  escalateAfterDiagnosis: z.string().min(1).max(500).optional(),
});

function invalid(source: string, id: string | undefined, field: string, why: string): never {
  const where = [`runbook ${source}`, id ? `"${id}"` : undefined, field || undefined].filter(Boolean).join(', ');
  throw new TwisterError('RUNBOOK_INVALID', `${where}: ${why}`, { source, ...(id ? { runbook: id } : {}), ...(field ? { field } : {}) });
}

/** A zod schema for one declared parameter. */
export function parameterSchema(p: RunbookParameter): z.ZodType {
  if (p.type === 'boolean') return z.boolean();
  if (p.type === 'string') {
    let s = z.string().min(1).max(p.maxLength ?? 256);
    if (p.pattern) s = s.regex(new RegExp(p.pattern), `must match ${p.pattern}`);
    return p.enum ? s.refine((v) => p.enum!.includes(v), `must be one of ${p.enum.join(', ')}`) : s;
  }
  let n = p.type === 'integer' ? z.number().int() : z.number();
  if (p.minimum !== undefined) n = n.min(p.minimum);
  if (p.maximum !== undefined) n = n.max(p.maximum);
  // Template values from the analysis arrive as strings: "30" is read as 30.
  return z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v), n);
}

function checkReferences(runbook: Runbook, source: string): void {
  const declared = new Set(Object.keys(runbook.parameters ?? {}));
  for (const [name, p] of Object.entries(runbook.parameters ?? {})) {
    if (p.pattern) {
      try {
        new RegExp(p.pattern);
      } catch {
        invalid(source, runbook.id, `parameters.${name}.pattern`, 'is not a valid regular expression');
      }
    }
    if (p.default !== undefined && !parameterSchema(p).safeParse(p.default).success) {
      invalid(source, runbook.id, `parameters.${name}.default`, `does not satisfy the parameter's own schema`);
    }
  }
  const seen = new Set<string>();
  const phases = [['diagnose', runbook.diagnose], ['fix', runbook.fix], ['verify', runbook.verify], ['rollback', runbook.rollback ?? []]] as const;
  for (const [phase, steps] of phases) {
    steps.forEach((s: RunbookStep, i) => {
      const field = `${phase}[${i}]`;
      if (s.if && isRuntimePath(templatePaths(s.if)[0]!)) invalid(source, runbook.id, `${field}.if`, 'is decided at planning time: it cannot read step outputs');
      for (const path of templatePaths([s.params, s.expect ?? [], s.backup ?? {}, s.if ?? ''])) {
        const root = path.split('.')[0]!;
        if (isRuntimePath(path)) {
          const ref = path.split('.')[1];
          if (!ref || !seen.has(ref)) invalid(source, runbook.id, field, `{{${path}}} must name an earlier step by its id`);
          continue;
        }
        if (!PLANNING_ROOTS.has(root)) {
          invalid(source, runbook.id, field, `{{${path}}} must start with ${[...PLANNING_ROOTS, RUNTIME_ROOT].join(', ')}`);
        }
        if (root === 'params' && !declared.has(path.split('.')[1] ?? '')) {
          invalid(source, runbook.id, field, `{{${path}}} uses a parameter that is not declared under parameters`);
        }
      }
      if (s.backup && phase !== 'fix') invalid(source, runbook.id, `${field}.backup`, 'only fix steps take a backup');
      if (s.expect && phase !== 'verify') invalid(source, runbook.id, `${field}.expect`, 'only verify steps have conditions');
      if (s.when) {
        if (phase === 'verify') invalid(source, runbook.id, `${field}.when`, 'a verify step always runs');
        const ref = s.when.path.split('.');
        if (ref[0] !== RUNTIME_ROOT || !ref[1] || !seen.has(ref[1])) invalid(source, runbook.id, `${field}.when`, `path ${s.when.path} must start with steps.<id of an earlier step>`);
      }
      if (s.id) {
        if (seen.has(s.id)) invalid(source, runbook.id, `${field}.id`, `step id "${s.id}" is used twice`);
        seen.add(s.id);
      }
    });
  }
  checkFindings(runbook, source);
  if (runbook.escalateAfterDiagnosis && runbook.fix.length > 0) {
    invalid(source, runbook.id, 'escalateAfterDiagnosis', 'a runbook that escalates after diagnosis has no fix steps');
  }
}

/**
 * Evidence before action, at load: a rule reads a diagnose step by its id; every fix step names the finding it
 * addresses, one this runbook's own diagnosis can confirm; diagnose steps are independent reads (no `when`, no
 * earlier outputs), so the checks of several runbooks can run together.
 */
function checkFindings(runbook: Runbook, source: string): void {
  const diagnoseIds = new Set(runbook.diagnose.map((s) => s.id).filter(Boolean));
  const confirmable = new Set((runbook.findings ?? []).map((f) => f.id));
  (runbook.findings ?? []).forEach((rule, i) => {
    if (!diagnoseIds.has(rule.step)) invalid(source, runbook.id, `findings[${i}].step`, `"${rule.step}" is not the id of a diagnose step`);
  });
  runbook.diagnose.forEach((s, i) => {
    if (s.when) invalid(source, runbook.id, `diagnose[${i}].when`, 'diagnose steps always run (they are read-only checks)');
    if (templatePaths(s.params).some(isRuntimePath)) invalid(source, runbook.id, `diagnose[${i}]`, 'a diagnose step cannot read another step\'s output');
    if (s.addresses || s.needs) invalid(source, runbook.id, `diagnose[${i}]`, 'only fix steps address findings');
  });
  runbook.fix.forEach((s, i) => {
    if (!s.addresses) invalid(source, runbook.id, `fix[${i}].addresses`, 'a fix step names the finding it addresses (a fix runs only on evidence)');
    const unconfirmable = addressedBy(s).find((id) => !confirmable.has(id));
    if (unconfirmable) {
      invalid(source, runbook.id, `fix[${i}].addresses`, `${unconfirmable} is not confirmed by any rule under findings of this runbook`);
    }
  });
  for (const phase of ['verify', 'rollback'] as const) {
    (runbook[phase] ?? []).forEach((s, i) => {
      if (s.addresses || s.needs) invalid(source, runbook.id, `${phase}[${i}]`, 'only fix steps address findings');
    });
  }
}

/**
 * Parses one runbook (already read from YAML or JSON). `capabilityExists`, when given, is asked about every
 * step, so a typo fails at load rather than at the first ticket.
 */
export function parseRunbook(raw: unknown, source: string, capabilityExists?: (id: string) => boolean): Runbook {
  const parsed = runbookFileSchema.safeParse(raw);
  const rawId = raw !== null && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    invalid(source, rawId, issue.path.join('.'), issue.message);
  }
  const runbook: Runbook = { ...(parsed.data as Runbook), source };
  checkReferences(runbook, source);
  if (capabilityExists) {
    for (const phase of ['diagnose', 'fix', 'verify', 'rollback'] as const) {
      (runbook[phase] ?? []).forEach((s, i) => {
        if (!capabilityExists(s.capability)) invalid(source, runbook.id, `${phase}[${i}].capability`, `no registered agent offers ${s.capability}`);
      });
    }
  }
  return runbook;
}

/** Ids are unique across the catalogue: a user runbook that reuses a built-in id is an error naming both. */
export function mergeCatalogue(...lists: Runbook[][]): Runbook[] {
  const byId = new Map<string, Runbook>();
  for (const runbook of lists.flat()) {
    const other = byId.get(runbook.id);
    if (other) invalid(runbook.source ?? 'unknown', runbook.id, 'id', `the id is already used by ${other.source ?? 'another runbook'}`);
    byId.set(runbook.id, runbook);
  }
  return [...byId.values()];
}
