// Shared pieces of the incident scenarios: a runtime with a services file, filing a ticket the way a user
// would (text only), waiting for where the loop stops, and reading the audit trail.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import type { RuntimeOptions } from '../../src/main/runtime.ts';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

export interface Scenario {
  rt: TestRuntime;
  /** A scratch directory for the system under test (logs, scripts, configuration). */
  dir: string;
  close(): Promise<void>;
}

/** A scratch directory for one scenario; startScenario removes it when the scenario closes. */
export const scratchDir = () => mkdtempSync(path.join(tmpdir(), 'twisterlab-scenario-'));

/** A runtime on the real PostgreSQL with the given services file entries and settings. */
export async function startScenario(
  services: Array<Record<string, unknown>>,
  env: Record<string, string> = {},
  options: RuntimeOptions = {},
  dir = scratchDir(),
): Promise<Scenario> {
  const servicesFile = path.join(dir, 'services.yaml');
  writeFileSync(servicesFile, stringify({ services }));
  const rt = await startTestRuntime('postgres', { TWISTERLAB_SERVICES_FILE: servicesFile, ...env }, options);
  return {
    rt,
    dir,
    close: async () => {
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Files a ticket by its text alone, as a user would, and returns its id. */
export async function fileTicket(
  app: FastifyInstance,
  description: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/tickets', headers, payload: { description } });
  if (response.statusCode !== 202) throw new Error(`ticket not accepted: ${response.statusCode} ${response.body}`);
  return (response.json() as { ticket: { id: string } }).ticket.id;
}

export async function fileAndWait(app: FastifyInstance, description: string): Promise<TicketDetail> {
  return waitForTicket(app, await fileTicket(app, description), 60_000);
}

/** Steps in order, as [phase, capability, status]. */
export const stepTrail = (detail: TicketDetail) =>
  [...detail.steps].sort((a, b) => a.index - b.index).map((s) => [s.phase, s.capability, s.status]);

/** The steps of one phase, as [capability, status]. */
export const phaseTrail = (detail: TicketDetail, phase: string) =>
  [...detail.steps]
    .sort((a, b) => a.index - b.index)
    .filter((s) => s.phase === phase)
    .map((s) => [s.capability, s.status]);

/** The statuses the ticket went through, from its audit rows. */
export const statusTrail = (detail: TicketDetail) =>
  detail.audit.filter((a) => a.action === 'ticket.status_changed').map((a) => a.toStatus);

export const stepOutput = <T>(detail: TicketDetail, capability: string, phase?: string): T =>
  detail.steps.find((s) => s.capability === capability && (!phase || s.phase === phase))!.output as T;

/** What to print when a scenario ends elsewhere than expected: the plan chosen, the reason, the step trail. */
export const why = (detail: TicketDetail) =>
  JSON.stringify({
    runbook: detail.executions.at(-1)?.plan.runbookId,
    category: detail.ticket.analysis?.category,
    context: detail.ticket.analysis?.context,
    reason: detail.ticket.escalationReason,
    steps: stepTrail(detail),
    errors: detail.steps.filter((s) => s.error).map((s) => s.error),
  });
