// What a ticket says when the loop hands it over: the target it could not pick, why nothing fits, the faults found
// with no safe fix (with their figures and the team), and how each finding ended.
import { findingKind } from '../findings/catalogue.ts';
import { isFault } from '../diagnosis/read-diagnosis.ts';
import type { Hypotheses } from '../diagnosis/diagnosis-plan.ts';
import { noRunbookFits } from '../planner.ts';
import type { Runbook } from '../runbooks/runbook.ts';
import type { Analysis, Finding } from '../ticket.ts';

/** Two declared services (or devices) fit one mention: never guess, a human picks. */
export function ambiguity(analysis: Analysis): string | undefined {
  const found = analysis.context.ambiguous;
  if (!found?.length) return undefined;
  const named = found.map((a) => `"${a.mention}" could be the ${a.kind} ${a.candidates.join(' or ')}`).join('; ');
  return `the ticket does not say which system it means: ${named}; a human should pick one`;
}

export function nothingFits(analysis: Analysis, hypotheses: Hypotheses): string {
  return noRunbookFits(analysis, hypotheses.rejected);
}

/** The handoff when faults were found and no runbook may fix them: what, where, the figures, and which team. */
export function handoff(faults: readonly Finding[], runbooks: readonly Runbook[]): string {
  const lines = faults.map((f) => {
    const note = runbooks.find((r) => r.id === f.runbookId)?.escalateAfterDiagnosis;
    return `${f.summary} — for the ${findingKind(f.id).team} team${note ? ` (${note})` : ''}`;
  });
  return `Found, with no safe automatic fix: ${lines.join('; ')}`;
}

/** "postgres.lock_contention on inventory: fixed; disk.nearly_full on inventory: remains". */
export function describeFindings(findings: readonly Finding[]): string {
  return (
    findings
      .filter(isFault)
      .map((f) => `${f.summary}: ${f.state}`)
      .join('; ') || 'no finding'
  );
}
