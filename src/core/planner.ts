// The planner: picks the runbook that fits the analysed ticket, fills its parameters, and asks policy about
// each step. When nothing fits, the plan says why and the ticket is escalated instead of guessed at.
import { riskRank, type Risk } from './capability.ts';
import { decideStep, type ChangePolicy } from './policy.ts';
import { BACKUP_CAPABILITY } from './rollback.ts';
import { addressedBy, type Runbook, type RunbookStep } from './runbooks/runbook.ts';
import { parameterSchema } from './runbooks/runbook-schema.ts';
import { hasRuntimeTemplates, RUNTIME_ROOT, templatePaths, tryFill, type Scope } from './runbooks/template.ts';
import type { Analysis, Plan, PlannedStep, StepPhase } from './ticket.ts';

export interface CatalogueLookup {
  /** Agent and risk of one call of a capability, or undefined when it is not registered. */
  (capabilityId: string, params: Record<string, unknown>): { risk: Risk; agent: string } | undefined;
}

export interface Planned {
  phase: StepPhase;
  step: RunbookStep;
  params: Record<string, unknown>;
  risk: Risk;
  agent: string;
}

/** A runbook that does not fit; `offTopic` when it is not about this kind of ticket at all (not worth telling). */
export type Fit =
  | { ok: true; runbook: Runbook; steps: Planned[]; score: number; parameters: Record<string, unknown> }
  | { ok: false; runbookId: string; reason: string; offTopic?: boolean };

/** Facts about the named target that templates may use, e.g. `service.configDir` from the services file. */
export type PlanningFacts = Record<string, unknown>;

export interface PlanOptions {
  changePolicy?: ChangePolicy;
  /** Plan this runbook whatever the ticket's category (a dry run of one runbook). */
  force?: boolean;
  /** Parameter values given by the caller; they win over `from` and `default`, and are validated the same way. */
  overrides?: Record<string, unknown>;
  /**
   * Diagnosis outputs by the runbook's step id: `{{steps.<id>…}}` templates naming them are filled at planning time
   * (an approval then sees the exact values), and fix steps are kept only for the findings in `confirmed`.
   */
  bound?: Record<string, unknown>;
  /** The findings diagnosis confirmed: a fix step is planned only when it addresses one of them (and its `needs` hold). */
  confirmed?: ReadonlySet<string>;
  /** Hypotheses: runbooks on the ticket's target fit whatever its category (see diagnosis/hypotheses.ts). */
  onTarget?: boolean;
}

const no = (runbookId: string, reason: string): Fit => ({ ok: false, runbookId, reason });
const offTopic = (runbookId: string, reason: string): Fit => ({ ok: false, runbookId, reason, offTopic: true });

export function scopeFor(analysis: Analysis, facts: PlanningFacts): Scope {
  const first = (kind: string) => analysis.context.found.find((f) => f.kind === kind);
  const url = analysis.context.url ?? first('url')?.value;
  const parsed = url && URL.canParse(url) ? new URL(url) : undefined;
  // Host and port come from one place: a written address with its written port, else the URL, else the
  // endpoint declared for the service the ticket names ("portal's certificate" → portal.example.com:443).
  const written = first('host') ?? first('ip');
  const service = facts.service as { host?: string; port?: number } | undefined;
  const host = written?.value ?? parsed?.hostname.replace(/^\[(.*)\]$/, '$1') ?? service?.host;
  const port = written
    ? written.port
    : parsed
      ? Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80))
      : service?.port;
  // Where TLS may be spoken: an https URL or declared service, or a written host on 443 (stated or by default).
  const tls = parsed
    ? parsed.protocol === 'https:'
    : written
      ? (written.port ?? 443) === 443
      : (facts.service as { scheme?: string } | undefined)?.scheme === 'https';
  return {
    context: analysis.context,
    analysis,
    found: { host, ip: first('ip')?.value, url, port, ...(tls ? { tls } : {}) },
    ...facts,
  };
}

function missingRequirement(runbook: Runbook, scope: Scope): string | undefined {
  const found = scope.found as { host?: string; url?: string };
  const context = scope.context as Analysis['context'];
  const has = { service: context.serviceName, device: context.deviceId, url: found.url, host: found.host };
  const missing = (runbook.requires ?? []).find((r) => !has[r]);
  return missing ? `the ticket names no ${missing}` : undefined;
}

function fillParameters(
  runbook: Runbook,
  scope: Scope,
  overrides: Record<string, unknown>,
): { ok: true; values: Record<string, unknown> } | { ok: false; reason: string } {
  const values: Record<string, unknown> = {};
  for (const [name, declared] of Object.entries(runbook.parameters ?? {})) {
    let value: unknown = overrides[name];
    if (value === undefined && declared.from) {
      const filled = tryFill(declared.from, scope);
      if (filled.ok) value = filled.value;
    }
    value ??= declared.default;
    if (value === undefined) return { ok: false, reason: `parameter ${name} has no value` };
    const parsed = parameterSchema(declared).safeParse(value);
    if (!parsed.success) return { ok: false, reason: `parameter ${name}: ${parsed.error.issues[0]!.message}` };
    values[name] = parsed.data;
  }
  const unknown = Object.keys(overrides).find((k) => !(k in (runbook.parameters ?? {})));
  if (unknown) return { ok: false, reason: `parameter ${unknown} is not declared by runbook ${runbook.id}` };
  return { ok: true, values };
}

function planStep(
  phase: StepPhase,
  step: RunbookStep,
  scope: Scope,
  lookup: CatalogueLookup,
): { ok: true; planned: Planned } | { ok: false; reason: string } {
  // Outputs already known (diagnosis, bound into the scope) are filled now; later steps' outputs when they run.
  const bound = (scope[RUNTIME_ROOT] ?? {}) as Record<string, unknown>;
  const filled = tryFill(
    { params: step.params, expect: step.expect },
    scope,
    (path) => !(path.split('.')[1]! in bound),
  );
  if (!filled.ok) return filled;
  const found = lookup(step.capability, filled.value.params);
  if (!found) return { ok: false, reason: `${step.capability} is not registered` };
  const risk = step.risk && riskRank(step.risk) > riskRank(found.risk) ? step.risk : found.risk;
  const planned = { ...step, ...(filled.value.expect ? { expect: filled.value.expect } : {}) };
  return { ok: true, planned: { phase, step: planned, params: filled.value.params, risk, agent: found.agent } };
}

/**
 * The backup step a fix step asks for (`backup` on the runbook step names what to save, whatever the priority).
 * Null when the step asks for none; a reason when it cannot be planned: then the runbook does not fit.
 */
function backupFor(step: RunbookStep, scope: Scope, lookup: CatalogueLookup): Planned | null | string {
  if (!step.backup) return null;
  const { target, type, deviceId, pattern } = step.backup;
  const filled = tryFill(
    { target, backup_type: type, ...(deviceId ? { device_id: deviceId } : {}), ...(pattern ? { pattern } : {}) },
    scope,
  );
  if (!filled.ok) return `backup: ${filled.reason}`;
  const found = lookup(BACKUP_CAPABILITY, filled.value);
  if (!found) return `${BACKUP_CAPABILITY} is not registered`;
  const description = `Back up ${String(filled.value.target)} before: ${step.description}`;
  // A backup for a fix that may be skipped is skipped with it.
  const backupStep = {
    capability: BACKUP_CAPABILITY,
    params: filled.value,
    description,
    ...(step.when ? { when: step.when } : {}),
  };
  return { phase: 'backup', step: backupStep, params: filled.value, risk: found.risk, agent: found.agent };
}

/** Keywords of the runbook the ticket's text contains. */
export function keywordHits(runbook: Runbook, text: string): number {
  const lower = text.toLowerCase();
  return runbook.keywords.filter((k) => lower.includes(k)).length;
}

/** A fix step is planned only for a confirmed finding, and only when one of the findings it needs is confirmed too. */
function fixAllowed(step: RunbookStep, confirmed: ReadonlySet<string>): boolean {
  return addressedBy(step).some((id) => confirmed.has(id)) && (!step.needs || step.needs.some((n) => confirmed.has(n)));
}

export function fitRunbook(
  runbook: Runbook,
  analysis: Analysis,
  text: string,
  lookup: CatalogueLookup,
  facts: PlanningFacts,
  options: PlanOptions,
): Fit {
  const loose = options.force || options.onTarget;
  if (!loose && !runbook.categories.includes(analysis.category))
    return offTopic(runbook.id, `not a ${analysis.category} runbook`);
  const hits = keywordHits(runbook, text);
  if (runbook.requireKeyword && hits === 0 && !loose)
    return offTopic(
      runbook.id,
      `the ticket mentions none of its keywords (${runbook.keywords.slice(0, 5).join(', ')}…)`,
    );
  const base: Scope = { ...scopeFor(analysis, facts), ...(options.bound ? { [RUNTIME_ROOT]: options.bound } : {}) };
  const missing = missingRequirement(runbook, base);
  if (missing) return no(runbook.id, missing);
  const kind = (base.service as { kind?: string } | undefined)?.kind;
  if (runbook.serviceKinds && !(kind && (runbook.serviceKinds as string[]).includes(kind))) {
    return no(
      runbook.id,
      `it acts on ${runbook.serviceKinds.join(' or ')} services${kind ? `, not ${kind}` : ' and the ticket names none'}`,
    );
  }
  const parameters = fillParameters(runbook, base, options.overrides ?? {});
  if (!parameters.ok) return no(runbook.id, parameters.reason);
  const scope = { ...base, params: parameters.values };
  const steps: Planned[] = [];
  const phases: Array<[StepPhase, RunbookStep[]]> = [
    ['diagnose', runbook.diagnose],
    ['fix', runbook.fix],
    ['verify', runbook.verify],
    ['rollback', runbook.rollback ?? []],
  ];
  for (const [phase, list] of phases) {
    for (const step of list) {
      if (step.if) {
        const condition = tryFill(step.if, scope);
        if (!condition.ok || (condition.value as unknown) === false) continue;
      }
      if (phase === 'fix' && options.confirmed && !fixAllowed(step, options.confirmed)) continue;
      if (phase === 'fix') {
        const backup = backupFor(step, scope, lookup);
        if (typeof backup === 'string') return no(runbook.id, backup);
        if (backup) steps.push(backup);
      }
      const planned = planStep(phase, step, scope, lookup);
      if (!planned.ok) return no(runbook.id, planned.reason);
      steps.push(planned.planned);
    }
  }
  const specificity = specificityOf(runbook);
  // First category listed is the runbook's home category.
  const home = runbook.categories[0] === analysis.category ? 1 : 0;
  return { ok: true, runbook, steps, score: hits + specificity + home, parameters: parameters.values };
}

const specificity = new WeakMap<Runbook, number>();

/**
 * A runbook that acts on a named target fits better than a generic one, and one built on what is declared about
 * that target (a restart command, a log directory: facts beyond the service's name, kind and device) better
 * still: it can do more than look. Fixed per runbook, so worked out once.
 */
function specificityOf(runbook: Runbook): number {
  let score = specificity.get(runbook);
  if (score === undefined) {
    const paths = templatePaths([
      runbook.diagnose,
      runbook.fix,
      runbook.verify,
      runbook.rollback ?? [],
      runbook.parameters ?? {},
    ]);
    const facts = new Set(
      paths.filter((p) => p.startsWith('service.') && !['service.name', 'service.kind', 'service.device'].includes(p)),
    ).size;
    score = ((runbook.requires?.length ?? 0) > 0 || paths.length > 0 ? 2 : 0) + facts;
    specificity.set(runbook, score);
  }
  return score;
}

/**
 * Why no runbook fits, for the escalation: the ticket's kind, what it named (nothing, since the runbooks act on named
 * systems; a device but no service on it; or a service) and each runbook's own reason for not fitting.
 */
export function noRunbookFits(
  analysis: Analysis,
  rejected: ReadonlyArray<{ runbookId: string; reason: string }>,
): string {
  const { serviceName, deviceId } = analysis.context;
  const named = serviceName
    ? ''
    : deviceId
      ? ` on device ${deviceId}, and no known service was named`
      : ' and no known service or device was named';
  const why = rejected.length > 0 ? ` (${rejected.map((r) => `${r.runbookId}: ${r.reason}`).join('; ')})` : '';
  return `no runbook fits a ${analysis.priority}-priority ${analysis.category} ticket${named}${why}`;
}

/** Steps that change something: on a tie, the least invasive plan wins. */
const invasiveness = (steps: readonly Planned[]) => steps.filter((s) => s.risk !== 'read').length;

export function planTicket(
  analysis: Analysis,
  text: string,
  runbooks: readonly Runbook[],
  lookup: CatalogueLookup,
  facts: PlanningFacts = {},
  options: PlanOptions = {},
): Plan {
  const fits = runbooks.map((r) => fitRunbook(r, analysis, text, lookup, facts, options));
  const candidates = fits
    .filter((c): c is Extract<Fit, { ok: true }> => c.ok)
    .sort(
      (a, b) =>
        b.score - a.score || invasiveness(a.steps) - invasiveness(b.steps) || a.runbook.id.localeCompare(b.runbook.id),
    );
  const rejected = fits
    .filter((c): c is Extract<Fit, { ok: false }> => !c.ok && !c.offTopic)
    .map(({ runbookId, reason }) => ({ runbookId, reason }));
  const best = candidates[0];
  if (!best) {
    return {
      runbookId: null,
      title: 'No runbook fits',
      steps: [],
      escalation:
        options.force && rejected[0]
          ? `runbook ${rejected[0].runbookId} cannot be planned: ${rejected[0].reason}`
          : noRunbookFits(analysis, rejected),
      ...(rejected.length > 0 ? { rejected } : {}),
    };
  }
  return {
    runbookId: best.runbook.id,
    title: best.runbook.title,
    steps: decideSteps(best.steps, analysis, options),
    ...(Object.keys(best.parameters).length > 0 ? { parameters: best.parameters } : {}),
    ...(best.runbook.escalateAfterDiagnosis ? { escalation: best.runbook.escalateAfterDiagnosis } : {}),
  };
}

/** Numbers the steps and asks policy about each one. */
export function decideSteps(
  planned: readonly Planned[],
  analysis: Analysis,
  options: PlanOptions,
  firstIndex = 0,
): PlannedStep[] {
  const hasVerification = planned.some((s) => s.phase === 'verify');
  return planned.map(({ phase, step, params, risk, agent }, i) => {
    const index = firstIndex + i;
    const backupBefore = planned.slice(0, i).some((s) => s.step.capability === BACKUP_CAPABILITY);
    const decided = decideStep({
      risk,
      priority: analysis.priority,
      backupBefore,
      verified: hasVerification,
      ...(step.withoutBackup ? { withoutBackup: step.withoutBackup } : {}),
      ...(options.changePolicy ? { changePolicy: options.changePolicy } : {}),
    });
    // An approval is given for exact parameters, before anything runs: a step whose values only an earlier step's
    // output will tell cannot be approved blind, so it is refused (the ticket goes to a human with the plan).
    const blind = decided.decision === 'needs_approval' && hasRuntimeTemplates(params);
    const { decision, reason } = blind
      ? {
          decision: 'refuse' as const,
          reason: `${decided.reason}, but its parameters come from an earlier step's output and an approval must see them`,
        }
      : decided;
    return {
      index,
      phase,
      capability: step.capability,
      agent,
      params,
      risk,
      description: step.description,
      ...(step.expect ? { expect: step.expect } : {}),
      decision,
      decisionReason: reason,
      ...(step.id ? { ref: step.id } : {}),
      ...(step.when ? { when: step.when } : {}),
      ...(step.addresses
        ? { addresses: addressedBy(step).filter((id) => !options.confirmed || options.confirmed.has(id)) }
        : {}),
    };
  });
}
