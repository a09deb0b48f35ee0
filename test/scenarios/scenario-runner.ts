// Runs incidents through a real runtime, one ticket at a time, and judges each against the real system:
// arm the fault, file the ticket by its words alone, wait where the loop stops (approving as an admin when
// the incident says so), then look as the app does and compare the lab's snapshot before and after.
import type { FastifyInstance } from 'fastify';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import { phrasingText, fixturesOf, type Incident, type FindingState, type Outcome } from './incidents.ts';
import { waitForTicketUntil } from '../helpers/test-runtime.ts';
import { Lab } from './lab.ts';
import { fileTicket, scratchDir, startScenario, type Scenario } from './scenario-kit.ts';

export const KEYS = { requester: 'pat-requester-key-0000001', admin: 'ada-admin-key-000000000002' };
const as = (key: string) => ({ 'x-api-key': key });

export interface Finding {
  id: string;
  target: string;
  state: FindingState;
  summary: string;
  evidence: Record<string, unknown>;
  runbookId: string;
}

/** Where the loop stops on its own: a final state, or one that waits for a person. */
const SETTLED = new Set(['resolved', 'escalated', 'failed', 'no_fault_found', 'awaiting_approval']);

export function waitForSettled(
  app: FastifyInstance,
  id: string,
  headers: Record<string, string>,
  stallMs = 90_000,
  leaving?: string,
): Promise<TicketDetail> {
  return waitForTicketUntil(
    app,
    id,
    (detail) => SETTLED.has(detail.ticket.status) && detail.ticket.status !== leaving,
    { stallMs, headers, pollMs: 50 },
  );
}

export const findingsOf = (detail: TicketDetail) =>
  (detail.ticket as unknown as { findings?: Finding[] }).findings ?? [];

/** True when some field of the approval carries the diagnosis (findings, evidence or figures), not just the step. */
export function showsDiagnosis(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(showsDiagnosis);
  if (!value || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([k, v]) =>
      (['findings', 'finding', 'evidence', 'figures', 'diagnosis'].includes(k) &&
        v !== null &&
        (typeof v !== 'object' || Object.keys(v).length > 0)) ||
      showsDiagnosis(v),
  );
}

export interface PhrasingResult {
  incident: Incident;
  phrasingIndex: number;
  text: string;
  ticketId?: string;
  status: string;
  findings: Finding[];
  reason: string | null;
  steps: unknown[];
  /** The fault as the app saw it just before the ticket (null: the fixture did not reproduce it). */
  faultBefore?: string | null;
  faultAfter?: string | null;
  unneeded: string[];
  lost: string[];
  approval?: { asked: boolean; showsDiagnosis: boolean };
  falseResolution: boolean;
  verifiedFix: boolean;
  namedRightFinding: boolean;
  /** Everything that differs from what the incident expects; empty when the ticket went as it should. */
  problems: string[];
}

const statuses = (s: Outcome | Outcome[]) => (Array.isArray(s) ? s : [s]);
const states = (s: FindingState | FindingState[]) => (Array.isArray(s) ? s : [s]);

function expectationProblems(incident: Incident, status: string, findings: Finding[], reason: string | null): string[] {
  const problems: string[] = [];
  if (!statuses(incident.expect.status).includes(status as Outcome))
    problems.push(`status ${status}, expected ${statuses(incident.expect.status).join(' or ')}`);
  for (const want of incident.expect.findings ?? []) {
    const got = findings.find((f) => f.id === want.id);
    if (!got)
      problems.push(
        `no finding ${want.id} (findings: ${findings.map((f) => `${f.id}:${f.state}`).join(', ') || 'none'})`,
      );
    else if (!states(want.state).includes(got.state))
      problems.push(`finding ${want.id} is ${got.state}, expected ${states(want.state).join(' or ')}`);
  }
  for (const name of incident.expect.reasonNames ?? []) {
    if (!(reason ?? '').includes(name)) problems.push(`the escalation reason does not name ${name}`);
  }
  return problems;
}

const CHANGE_PHASES = new Set(['fix', 'backup', 'rollback']);

/** Differences the expected fix does not explain, and any change made on a system that had no fault. */
export function unneededChanges(
  incident: Incident,
  before: Record<string, string>,
  after: Record<string, string>,
  detail: Pick<TicketDetail, 'steps'> | undefined,
): string[] {
  const allowed = new Set(incident.fault ? (incident.mayChange ?? []) : []);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => before[k] !== after[k] && !allowed.has(k))
    .map((k) => `${k} changed (${before[k] ?? 'none'} → ${after[k] ?? 'none'})`);
  if (!incident.fault && detail) {
    for (const s of detail.steps) {
      if (CHANGE_PHASES.has(s.phase) && s.status === 'succeeded')
        changed.push(`a ${s.phase} step (${s.capability}) ran on a system with no fault`);
    }
  }
  return changed;
}

async function approveIfAsked(
  app: FastifyInstance,
  incident: Incident,
  detail: TicketDetail,
  result: Pick<PhrasingResult, 'approval'>,
): Promise<TicketDetail> {
  if (detail.ticket.status !== 'awaiting_approval') return detail;
  const list = await app.inject({
    method: 'GET',
    url: `/api/v1/approvals?status=pending&ticketId=${detail.ticket.id}`,
    headers: as(KEYS.admin),
  });
  const items = (list.json() as { items?: Array<{ id: string }> }).items ?? [];
  // What the approver sees: the approval itself, or the ticket's plan it belongs to, with the diagnosis's figures.
  const plan = detail.executions.at(-1)?.plan as
    { findings?: Array<{ evidence?: Record<string, unknown> }> } | undefined;
  const planShows = (plan?.findings ?? []).some((f) => Object.keys(f.evidence ?? {}).length > 0);
  result.approval = { asked: true, showsDiagnosis: items.length > 0 && (planShows || items.every(showsDiagnosis)) };
  const decision = incident.approve ? 'approve' : 'deny';
  for (const item of items) {
    await app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${item.id}/${decision}`,
      headers: as(KEYS.admin),
      payload: { reason: 'scenario' },
    });
  }
  return waitForSettled(app, detail.ticket.id, as(KEYS.admin), 90_000, 'awaiting_approval');
}

/** Steps in the order they ran: execution by execution, then by index, as "phase capability status". */
export function trail(detail: TicketDetail): string[] {
  const order = new Map(detail.executions.map((e, i) => [e.id, i]));
  return [...detail.steps]
    .sort((a, b) => order.get(a.executionId)! - order.get(b.executionId)! || a.index - b.index)
    .map((s) => `${s.phase} ${s.capability} ${s.status}`);
}

/** One phrasing of one incident: arm, file, wait, judge, reset. Never throws for a wrong outcome: it says so. */
export async function runPhrasing(
  lab: Lab,
  app: FastifyInstance,
  incident: Incident,
  phrasingIndex: number,
): Promise<PhrasingResult> {
  const text = await phrasingText(lab, incident, incident.phrasings[phrasingIndex]!);
  const result: PhrasingResult = {
    incident,
    phrasingIndex,
    text,
    status: 'not filed',
    findings: [],
    reason: null,
    steps: [],
    unneeded: [],
    lost: [],
    falseResolution: false,
    verifiedFix: false,
    namedRightFinding: false,
    problems: [],
  };
  try {
    await incident.arrange(lab);
    if (incident.fault) {
      result.faultBefore = await incident.fault(lab);
      if (result.faultBefore === null) result.problems.push('the fixture did not reproduce the fault');
    }
    const before = await lab.snapshot();
    result.ticketId = await fileTicket(app, text, as(KEYS.requester));
    let detail = await waitForSettled(app, result.ticketId, as(KEYS.requester));
    detail = await approveIfAsked(app, incident, detail, result);
    Object.assign(result, {
      status: detail.ticket.status,
      findings: findingsOf(detail),
      reason: detail.ticket.escalationReason ?? null,
      steps: trail(detail),
    });
    if (incident.fault) result.faultAfter = await incident.fault(lab);
    result.lost = incident.keeps ? await incident.keeps(lab) : [];
    result.unneeded = unneededChanges(incident, before, await lab.snapshot(), detail);
    judge(result);
  } catch (error) {
    result.problems.push(`the run failed: ${(error as Error).message}`);
  } finally {
    await incident.reset(lab).catch((error: Error) => result.problems.push(`reset failed: ${error.message}`));
  }
  return result;
}

/** Fills in the verdicts of a finished phrasing from its status, findings and what the real system showed. */
export function judge(r: PhrasingResult): void {
  const { incident } = r;
  const hasFault = incident.fault !== undefined;
  r.falseResolution = r.status === 'resolved' && hasFault && r.faultAfter !== null;
  r.verifiedFix =
    r.status === 'resolved' && hasFault && r.faultAfter === null && r.findings.some((f) => f.state === 'fixed');
  const wanted = incident.expect.findings ?? [];
  r.namedRightFinding =
    r.status === 'escalated' &&
    (wanted.length > 0
      ? wanted.every((w) => r.findings.some((f) => f.id === w.id))
      : (incident.expect.reasonNames ?? []).length > 0 &&
        incident.expect.reasonNames!.every((n) => (r.reason ?? '').includes(n)));
  r.problems.push(...expectationProblems(incident, r.status, r.findings, r.reason));
  if (r.falseResolution) r.problems.push(`FALSE RESOLUTION: resolved while the app still sees: ${r.faultAfter}`);
  if (r.status === 'resolved' && hasFault && !r.findings.some((f) => f.state === 'fixed'))
    r.problems.push('resolved with no finding marked fixed');
  r.problems.push(...r.unneeded.map((u) => `UNNEEDED CHANGE: ${u}`), ...r.lost.map((l) => `DATA LOST: ${l}`));
  if (r.approval?.asked && incident.approve && !r.approval.showsDiagnosis)
    r.problems.push("the approval does not show the diagnosis's figures");
  if (incident.approve && !r.approval?.asked) r.problems.push('no approval was asked before the destructive fix');
}

/** What to print for one phrasing: the outcome, the findings, the reason and the problems. */
export const describeResult = (r: PhrasingResult) =>
  JSON.stringify(
    {
      incident: r.incident.id,
      phrasing: r.phrasingIndex,
      text: r.text,
      status: r.status,
      findings: r.findings.map((f) => `${f.id}:${f.state}@${f.target}`),
      reason: r.reason,
      steps: r.steps,
      faultBefore: r.faultBefore,
      faultAfter: r.faultAfter,
      problems: r.problems,
    },
    null,
    1,
  );

export interface LabRun {
  lab: Lab;
  scenario: Scenario;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** The lab with every fixture the incidents use, and a runtime on the real PostgreSQL configured for it. */
export async function startLabRun(incidents: Incident[], env: Record<string, string> = {}): Promise<LabRun> {
  const lab = new Lab();
  try {
    await lab.useAll(fixturesOf(incidents));
    const scenario = await startScenario(
      await lab.services(),
      {
        ...lab.env(),
        TWISTERLAB_API_KEYS: `pat:operator:${KEYS.requester},ada:admin:${KEYS.admin}`,
        ...env,
      },
      { runbooks: await lab.runbooks() },
      scratchDir(),
    );
    return {
      lab,
      scenario,
      app: scenario.rt.app,
      close: async () => {
        await scenario.close();
        await lab.close();
      },
    };
  } catch (error) {
    await lab.close();
    throw error;
  }
}
