// Turning diagnosis outputs into findings: a runbook's rule holds of the output of the check it names, and the
// figures it lists go with the finding. Also the reverse question verification asks: is that finding still there?
import { describeCondition, evaluateConditions } from '../conditions.ts';
import type { FindingRule, Runbook } from '../runbooks/runbook.ts';
import { lookupPath } from '../runbooks/template.ts';
import type { Finding } from '../ticket.ts';
import { findingKind } from './catalogue.ts';

/** What one rule said of one output: held (the finding is there) or not, with the figures either way. */
export interface RuleVerdict {
  held: boolean;
  evidence: Record<string, unknown>;
  /** The conditions with their actual values, e.g. `blocked_count gt 0 (was 3)`. */
  reading: string;
}

export function judgeRule(rule: FindingRule, output: unknown): RuleVerdict {
  const outcomes = evaluateConditions(output, rule.when);
  const evidence: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(rule.evidence ?? {})) {
    const value = lookupPath(output, path);
    if (value !== undefined) evidence[name] = value;
  }
  // Without named figures, the values the conditions read are the evidence.
  if (!rule.evidence) for (const o of outcomes) evidence[o.condition.path] = o.actual;
  return { held: outcomes.every((o) => o.held), evidence, reading: outcomes.map(describeCondition).join(', ') };
}

function summary(id: string, target: string, evidence: Record<string, unknown>): string {
  const figures = Object.entries(evidence)
    .map(([k, v]) => `${k} ${shortJson(v)}`)
    .join(', ');
  return `${findingKind(id).title} (${target})${figures ? `: ${figures}` : ''}`;
}

function shortJson(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export interface CheckedRule {
  runbookId: string;
  findingId: string;
  check: string;
  /** `held`: confirmed; `clear`: the check ran and the rule did not hold; `unchecked`: the check failed or did not run. */
  result: 'held' | 'clear' | 'unchecked';
  reading: string;
}

/**
 * The findings one runbook's rules confirm from its diagnose steps' outputs (by step id), and what each rule
 * read. `capabilityOf` names the check behind a step id.
 */
export function confirmFindings(
  runbook: Runbook,
  outputs: ReadonlyMap<string, unknown>,
  target: string,
  capabilityOf: (stepId: string) => string,
): { findings: Finding[]; checked: CheckedRule[] } {
  const findings: Finding[] = [];
  const checked: CheckedRule[] = [];
  for (const rule of runbook.findings ?? []) {
    const check = capabilityOf(rule.step);
    if (!outputs.has(rule.step)) {
      checked.push({
        runbookId: runbook.id,
        findingId: rule.id,
        check,
        result: 'unchecked',
        reading: 'the check did not succeed',
      });
      continue;
    }
    const verdict = judgeRule(rule, outputs.get(rule.step));
    checked.push({
      runbookId: runbook.id,
      findingId: rule.id,
      check,
      result: verdict.held ? 'held' : 'clear',
      reading: verdict.reading,
    });
    if (!verdict.held || findings.some((f) => f.id === rule.id)) continue;
    findings.push({
      id: rule.id,
      target,
      state: 'confirmed',
      summary: summary(rule.id, target, verdict.evidence),
      evidence: verdict.evidence,
      runbookId: runbook.id,
      check,
    });
  }
  return { findings, checked };
}

/** The rules of a runbook that confirm a finding (several rules may confirm one id). */
export function rulesFor(runbook: Runbook, findingId: string): FindingRule[] {
  return (runbook.findings ?? []).filter((r) => r.id === findingId);
}
