// Follows a ticket's event stream until it settles (`ticket submit --wait`, `approve --wait`). A stream that
// ends without saying the ticket settled is reconnected (each connection starts with a snapshot, so nothing is
// missed); when it cannot be, the caller learns the stream was lost, never that the ticket was escalated.
import type { TicketEvent } from '../core/events.ts';
import type { StepRecord, TicketDetail } from '../core/ticket-repository.ts';
import type { Plan } from '../core/ticket.ts';
import type { ApiClient } from './api-client.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { formatAnalysis, formatPlan, formatStep } from './format.ts';
import type { Output } from './ticket-commands.ts';

export interface FollowOptions {
  /** Stop waiting after this long (the ticket goes on). */
  timeoutMs?: number;
  /** Reconnections tried in a row after the stream ended early or could not be opened. */
  reconnects?: number;
  reconnectDelayMs?: number;
}

export type FollowResult =
  | { kind: 'settled'; status: string }
  | { kind: 'lost'; status: string; reason: string }
  | { kind: 'timeout'; status: string };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/** Prints the ticket's progress as it happens (when `out` is given); returns how the wait ended. */
export async function followTicket(
  client: ApiClient,
  id: string,
  out: Output | undefined,
  options: FollowOptions = {},
): Promise<FollowResult> {
  const deadline = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const cancel = new AbortController();
  const signal = deadline ? AbortSignal.any([deadline, cancel.signal]) : cancel.signal;
  const reconnects = options.reconnects ?? 3;
  const printer = progressPrinter(out);
  let status = 'new';
  let failures = 0;
  let reason = '';
  try {
    while (failures <= reconnects) {
      if (failures > 0) await sleep((options.reconnectDelayMs ?? 500) * 2 ** (failures - 1), signal);
      if (deadline?.aborted) return { kind: 'timeout', status };
      try {
        for await (const message of client.events(`/api/v1/tickets/${encodeURIComponent(id)}/events`, signal)) {
          failures = 0;
          if (message.event === 'snapshot') {
            const detail = message.data as TicketDetail;
            status = detail.ticket.status;
            printer.snapshot(detail);
            continue;
          }
          const event = message.data as TicketEvent;
          printer.event(event);
          if (event.type === 'status') status = event.to;
          if (event.type === 'done') return { kind: 'settled', status: event.status };
          // The server ends the stream here: nothing happens until someone decides.
          if (event.type === 'status' && event.to === 'awaiting_approval') return { kind: 'settled', status };
        }
        reason = 'the server closed the stream before the ticket settled';
      } catch (error) {
        if (deadline?.aborted) return { kind: 'timeout', status };
        reason = (error as Error).message;
      }
      failures += 1;
    }
    return { kind: 'lost', status, reason };
  } finally {
    cancel.abort();
  }
}

// A plan read back from the store may order its keys differently from the one in an event: key it by content.
const planKey = (plan: Plan) =>
  `plan:${plan.runbookId ?? ''}:${plan.title}:${plan.steps.map((s) => s.capability).join(',')}`;

/** Prints analysis, plans and steps once each, however many snapshots arrive. */
function progressPrinter(out: Output | undefined) {
  const printed = new Set<string>();
  const once = (key: string, line: () => string) => {
    if (!out || printed.has(key)) return;
    printed.add(key);
    out.write(line());
  };
  // Diagnosis and remedy are two executions, each numbering its steps from 0.
  const step = (s: StepRecord) => once(`step:${s.executionId}:${s.index}`, () => formatStep(s, out?.paint));
  return {
    snapshot(detail: TicketDetail) {
      const analysis = detail.ticket.analysis;
      if (analysis) once('analysis', () => formatAnalysis(analysis));
      const execution = detail.executions.at(-1);
      if (execution) once(planKey(execution.plan), () => formatPlan(execution.plan, execution.dryRun));
      detail.steps.forEach(step);
    },
    event(event: TicketEvent) {
      if (event.type === 'analysis') once('analysis', () => formatAnalysis(event.analysis));
      else if (event.type === 'plan') once(planKey(event.plan), () => formatPlan(event.plan, event.dryRun));
      else if (event.type === 'step') step(event.step);
    },
  };
}

/** The exit code of a wait: see exit-codes.ts. */
export function waitExitCode(result: FollowResult, dryRun = false): ExitCode {
  if (result.kind === 'lost') return EXIT.streamLost;
  if (result.kind === 'timeout') return EXIT.timedOut;
  if (result.status === 'resolved' || (dryRun && result.status === 'planned')) return EXIT.ok;
  if (result.status === 'awaiting_approval') return EXIT.awaitingApproval;
  if (result.status === 'no_fault_found') return EXIT.noFaultFound;
  return EXIT.escalated;
}
