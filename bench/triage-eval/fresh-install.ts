// What a fresh install (nothing declared) would do with each ticket, without running anything: the analysis the
// platform makes, whether it would be diagnosed at all and with which checks (on a fresh install every check runs
// on this host), and the handoff a person would read. Two checks come out of it: no check of this host for a
// ticket about the requester's equipment, and a handoff naming the request and a team for every ticket.
import { loadCatalogue } from '../../src/adapters/runbooks/runbook-files.ts';
import { createClassifierAgent } from '../../src/agents/classifier/classifier-agent.ts';
import { createSentimentAgent } from '../../src/agents/sentiment/sentiment-agent.ts';
import { findHypotheses } from '../../src/core/diagnosis/diagnosis-plan.ts';
import { handoffSummary, notForDiagnosis } from '../../src/core/handoff/handoff.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { CapabilityRegistry } from '../../src/core/registry.ts';
import { DEFAULT_ROUTING, route } from '../../src/core/routing/routing.ts';
import { analyzeTicket } from '../../src/core/ticket-analyzer.ts';
import type { LabelledTicket } from './datasets.ts';

// The data's own labels for a ticket about equipment in the requester's hands (never this platform's host).
const EQUIPMENT_TAGS = new Set(['Hardware', 'Driver', 'Hardware Failure', 'Printer Issue', 'Firmware Update', 'Product Replacement', 'Warranty Claim']);

export interface FreshInstallReport {
  tickets: number;
  diagnosed: number;
  equipment: number;
  equipmentDiagnosed: number;
  summaries: number;
  summariesNamingRequestAndTeam: number;
}

export async function freshInstall(tickets: readonly LabelledTicket[]): Promise<FreshInstallReport> {
  const registry = new CapabilityRegistry({ logger: silentLogger });
  registry.register(createClassifierAgent());
  registry.register(createSentimentAgent());
  const runbooks = loadCatalogue(undefined);
  const lookup = (id: string) => ({ agent: id.split('.')[0]!, risk: 'read' as const });
  const report: FreshInstallReport = { tickets: 0, diagnosed: 0, equipment: 0, equipmentDiagnosed: 0, summaries: 0, summariesNamingRequestAndTeam: 0 };
  for (const ticket of tickets) {
    const analysis = await analyzeTicket({ registry, known: () => ({ devices: ['local'], services: [] }) }, ticket.text, {});
    const team = route(DEFAULT_ROUTING, analysis, ticket.text).team;
    analysis.team = team;
    const held = notForDiagnosis(analysis);
    const checks = held ? 0 : findHypotheses(analysis, ticket.text, runbooks, lookup, {}).fits.flatMap((f) => f.steps.filter((s) => s.phase === 'diagnose')).length;
    const equipment = ticket.tags.some((t) => EQUIPMENT_TAGS.has(t));
    report.tickets += 1;
    if (checks > 0) report.diagnosed += 1;
    if (equipment) report.equipment += 1;
    if (equipment && checks > 0) report.equipmentDiagnosed += 1;
    const summary = handoffSummary({ analysis, team, outcome: checks > 0 ? 'no_fault_found' : 'handed_over', ...(held ? { notDiagnosed: held } : {}) });
    report.summaries += 1;
    if (/^Request: the requester \w.+: "/.test(summary) && new RegExp(`\\nTeam: ${team}$`).test(summary) && team.length > 0) report.summariesNamingRequestAndTeam += 1;
  }
  return report;
}
