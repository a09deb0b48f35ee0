// What a fresh install (nothing declared but this host, device `local`) would do with each ticket, without running
// anything: the analysis the platform makes, then the very decision the orchestrator makes for a new ticket
// (planDiagnosis: ambiguity, hand-over to a person, or the read-only checks of the runbooks that fit), and the
// handoff a person would read. Checks count as checks of this host when their target is `local` (the ticket names
// no other service, host or URL); checks of a host or URL the ticket names are counted apart. Two checks come out
// of it: no check (of this host, or of anything) for a ticket about the requester's equipment, and a handoff naming
// the request and a team for every ticket.
import { loadCatalogue } from '../../src/adapters/runbooks/runbook-files.ts';
import { createClassifierAgent } from '../../src/agents/classifier/classifier-agent.ts';
import { createSentimentAgent } from '../../src/agents/sentiment/sentiment-agent.ts';
import { planDiagnosis } from '../../src/core/diagnosis/plan-diagnosis.ts';
import { handoffSummary } from '../../src/core/handoff/handoff.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { CapabilityRegistry } from '../../src/core/registry.ts';
import { DEFAULT_ROUTING, route } from '../../src/core/routing/routing.ts';
import { analyzeTicket } from '../../src/core/ticket-analyzer.ts';
import type { LabelledTicket } from './datasets.ts';

// The data's own labels for a ticket about equipment in the requester's hands (never this platform's host).
const EQUIPMENT_TAGS = new Set([
  'Hardware',
  'Driver',
  'Hardware Failure',
  'Printer Issue',
  'Firmware Update',
  'Product Replacement',
  'Warranty Claim',
]);
const THIS_HOST = 'local';

export interface FreshInstallReport {
  tickets: number;
  /** Tickets whose plan runs checks of any target. */
  diagnosed: number;
  /** Tickets whose plan runs checks of this host. */
  diagnosedHere: number;
  equipment: number;
  equipmentDiagnosed: number;
  equipmentDiagnosedHere: number;
  summaries: number;
  summariesNamingRequestAndTeam: number;
}

export async function freshInstall(tickets: readonly LabelledTicket[]): Promise<FreshInstallReport> {
  const registry = new CapabilityRegistry({ logger: silentLogger });
  registry.register(createClassifierAgent());
  registry.register(createSentimentAgent());
  const runbooks = loadCatalogue(undefined);
  // Every check counted as read-only: a step the real registry would refuse as a change is counted, not dropped.
  const lookup = (id: string) => ({ agent: id.split('.')[0]!, risk: 'read' as const });
  const report: FreshInstallReport = {
    tickets: 0,
    diagnosed: 0,
    diagnosedHere: 0,
    equipment: 0,
    equipmentDiagnosed: 0,
    equipmentDiagnosedHere: 0,
    summaries: 0,
    summariesNamingRequestAndTeam: 0,
  };
  for (const ticket of tickets) {
    const analysis = await analyzeTicket(
      { registry, known: () => ({ devices: [THIS_HOST], services: [] }) },
      ticket.text,
      {},
    );
    const team = route(DEFAULT_ROUTING, analysis, ticket.text).team;
    analysis.team = team;
    const decided = planDiagnosis(analysis, ticket.text, runbooks, lookup, {});
    const checks = decided.plan.steps.length;
    const here = checks > 0 && decided.target === THIS_HOST;
    const equipment = ticket.tags.some((t) => EQUIPMENT_TAGS.has(t));
    report.tickets += 1;
    if (checks > 0) report.diagnosed += 1;
    if (here) report.diagnosedHere += 1;
    if (equipment) report.equipment += 1;
    if (equipment && checks > 0) report.equipmentDiagnosed += 1;
    if (equipment && here) report.equipmentDiagnosedHere += 1;
    const held = decided.handover;
    const summary = handoffSummary({
      analysis,
      team,
      outcome: checks > 0 ? 'no_fault_found' : 'handed_over',
      ...(held ? { notDiagnosed: held } : {}),
    });
    report.summaries += 1;
    if (
      /^Request: the requester \w.+: "/.test(summary) &&
      new RegExp(`\\nTeam: ${team}$`).test(summary) &&
      team.length > 0
    )
      report.summariesNamingRequestAndTeam += 1;
  }
  return report;
}
