// What diagnosis established: each hypothesis' checks read back by the runbook's own step ids, its rules applied
// to them, and the findings (with their figures) and the rules that did not hold (what was checked and is fine).
import { findingKind } from '../findings/catalogue.ts';
import { confirmFindings, type CheckedRule } from '../findings/confirm.ts';
import type { Runbook } from '../runbooks/runbook.ts';
import type { StepRecord } from '../ticket-repository.ts';
import type { Analysis, Finding, Plan } from '../ticket.ts';

export interface DiagnosisResult {
  findings: Finding[];
  checked: CheckedRule[];
  /** Per runbook, the outputs of its diagnose steps that succeeded, by step id. */
  outputs: Map<string, Map<string, unknown>>;
  /** The diagnosis step that ran each runbook step: `<runbookId>/<stepId>` → plan step index. */
  stepIndex: Map<string, number>;
}

/** What the ticket is about, as findings name it: the service, else the host (and port), URL or device. */
export function targetOf(analysis: Analysis): string {
  const { context } = analysis;
  if (context.serviceName) return context.serviceName;
  const host = context.found.find((f) => f.kind === 'host' || f.kind === 'ip');
  if (host) return host.port ? `${host.value}:${host.port}` : host.value;
  return context.url ?? context.deviceId ?? 'local';
}

export function readDiagnosis(
  plan: Plan,
  records: readonly StepRecord[],
  runbooks: readonly Runbook[],
  target: string,
): DiagnosisResult {
  const outputs = new Map<string, Map<string, unknown>>();
  const stepIndex = new Map<string, number>();
  const capabilities = new Map<string, string>();
  const succeeded = new Map(records.filter((r) => r.status === 'succeeded').map((r) => [r.index, r.output]));
  for (const step of plan.steps) {
    for (const source of step.sources ?? []) {
      if (!source.stepId) continue;
      const key = `${source.runbookId}/${source.stepId}`;
      stepIndex.set(key, step.index);
      capabilities.set(key, step.capability);
      if (!succeeded.has(step.index)) continue;
      if (!outputs.has(source.runbookId)) outputs.set(source.runbookId, new Map());
      outputs.get(source.runbookId)!.set(source.stepId, succeeded.get(step.index));
    }
  }
  const findings: Finding[] = [];
  const checked: CheckedRule[] = [];
  for (const { runbookId } of plan.hypotheses ?? []) {
    const runbook = runbooks.find((r) => r.id === runbookId);
    if (!runbook) continue;
    const result = confirmFindings(
      runbook,
      outputs.get(runbookId) ?? new Map(),
      target,
      (stepId) => capabilities.get(`${runbookId}/${stepId}`) ?? 'unknown',
    );
    checked.push(...result.checked);
    for (const finding of result.findings)
      if (!findings.some((f) => f.id === finding.id && f.target === finding.target)) findings.push(finding);
  }
  return { findings, checked, outputs, stepIndex };
}

export const isFault = (finding: Finding) => findingKind(finding.id).fault;

/** "checked: service.unreachable on shop (healthy eq false (was true)); …" — what a no-fault-found ticket tells. */
export function describeChecks(checked: readonly CheckedRule[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const c of checked) {
    const key = `${c.findingId}:${c.result}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const verdict = c.result === 'clear' ? 'not found' : c.result === 'held' ? 'found' : 'could not be checked';
    lines.push(`${findingKind(c.findingId).title}: ${verdict} (${c.check}: ${c.reading})`);
  }
  return lines.join('; ');
}
