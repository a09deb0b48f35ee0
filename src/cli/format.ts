// Plain-text rendering of tickets, plans, steps and agents for the terminal.
import type { CapabilityDescriptor } from '../core/registry.ts';
import type { StepRecord, Ticket, TicketDetail } from '../core/ticket-repository.ts';
import type { Analysis, Plan } from '../core/ticket.ts';
import { statusStyle, type Paint } from './colour.ts';

const plain: Paint = (_style, text) => text;
const paintStatus = (paint: Paint, status: string, text = status) => {
  const style = statusStyle(status);
  return style ? paint(style, text) : text;
};

export function formatAnalysis(a: Analysis): string {
  const where = [
    a.context.deviceId && `device ${a.context.deviceId}`,
    a.context.serviceName && `service ${a.context.serviceName}`,
    a.context.url,
  ]
    .filter(Boolean)
    .join(', ');
  return [
    `analysis  ${a.category} · ${a.priority} priority · ${a.sentiment} · urgency ${a.urgency} · confidence ${a.confidence} (${a.path})`,
    ...(where ? [`context   ${where}`] : []),
  ].join('\n');
}

export function formatPlan(plan: Plan, dryRun: boolean): string {
  const head = `plan      ${plan.runbookId ?? '(none)'}: ${plan.title}${dryRun ? '  [dry run: nothing will run]' : ''}`;
  const steps = plan.steps.map(
    (s) =>
      `  ${String(s.index).padStart(2)}. [${s.phase}] ${s.capability} ${JSON.stringify(s.params)}  risk=${s.risk} → ${s.decision}`,
  );
  const tail = plan.escalation ? [`  escalation: ${plan.escalation}`] : [];
  return [head, ...steps, ...tail].join('\n');
}

export function formatStep(step: StepRecord, paint: Paint = plain): string {
  const mark = step.status === 'succeeded' ? paint('green', 'ok ') : paint('red', 'ERR');
  const detail = step.error ? `${step.error.code}: ${step.error.message}` : summariseOutput(step.output);
  return `  ${mark} ${String(step.index).padStart(2)}. ${step.capability} (${step.durationMs.toFixed(1)} ms) ${detail}`;
}

function summariseOutput(output: unknown): string {
  if (output && typeof output === 'object') {
    const o = output as Record<string, unknown>;
    if ('healthy' in o) return `healthy=${String(o.healthy)} ${String(o.detail ?? '')}`;
    if ('exit_code' in o)
      return `exit ${String(o.exit_code)}: ${
        String(o.stdout ?? '')
          .trim()
          .split('\n')[0]
          ?.slice(0, 80) ?? ''
      }`;
  }
  const text = JSON.stringify(output) ?? '';
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}

export function formatFinal(
  ticket: Pick<Ticket, 'id' | 'status' | 'resolutionNote' | 'escalationReason'> &
    Partial<Pick<Ticket, 'findings' | 'outcome'>>,
  paint: Paint = plain,
): string {
  const why =
    ticket.status === 'escalated' || ticket.status === 'failed' ? ticket.escalationReason : ticket.resolutionNote;
  const findings = (ticket.findings ?? []).map((f) => `\nfinding   ${f.state.padEnd(9)} ${f.summary}`).join('');
  return `status    ${paintStatus(paint, ticket.status)}${ticket.outcome ? ` (${ticket.outcome})` : ''}${why ? `\n          ${why}` : ''}${findings}`;
}

export function formatTicketDetail(detail: TicketDetail, paint: Paint = plain): string {
  const t = detail.ticket;
  const execution = detail.executions.at(-1);
  return [
    `ticket    ${t.id}  (${t.source}, by ${t.requester}, ${t.createdAt})`,
    ...formatOrigin(t),
    `text      ${t.description.length > 200 ? `${t.description.slice(0, 197)}...` : t.description}`,
    ...(t.analysis ? [formatAnalysis(t.analysis)] : []),
    ...(execution ? [formatPlan(execution.plan, execution.dryRun)] : []),
    ...(detail.steps.length ? ['steps', ...detail.steps.map((s) => formatStep(s, paint))] : []),
    formatFinal(t, paint),
    // The plain-words handoff for the person who takes the ticket; the reason above is the technical detail.
    ...(t.handoffSummary ? ['handoff', ...t.handoffSummary.split('\n').map((line) => `  ${line}`)] : []),
    ...((detail.comments ?? []).length
      ? [
          'comments',
          ...detail.comments.map(
            (c) => `  ${c.createdAt}  ${c.author} (${c.source}): ${c.body.replace(/\s+/g, ' ').slice(0, 160)}`,
          ),
        ]
      : []),
    'audit',
    ...detail.audit.map(
      (a) => `  ${a.at}  ${a.actor.padEnd(12)} ${a.action}${a.toStatus ? ` ${a.fromStatus ?? ''}→${a.toStatus}` : ''}`,
    ),
  ].join('\n');
}

/** Where the ticket came from and who holds it: only the lines that have something to say. */
function formatOrigin(t: Ticket): string[] {
  return [
    t.title ? `title     ${t.title}` : '',
    t.externalId || t.reporter
      ? `from      ${[t.externalId && `external id ${t.externalId}`, t.reporter && `reported by ${t.reporter}`].filter(Boolean).join(', ')}`
      : '',
    t.labels?.length ? `labels    ${t.labels.join(', ')}` : '',
    t.intent ? `intent    ${t.intent}` : '',
    t.team ? `team      ${t.team}` : '',
    t.assignee ? `assignee  ${t.assignee}` : '',
    t.resolvedAt ? `resolved  ${t.resolvedAt} by ${t.resolvedBy ?? 'TwisterLab (autonomous)'}` : '',
    t.callbackUrl ? `callback  ${t.callbackUrl}` : '',
  ].filter(Boolean);
}

export function formatTicketRow(t: Ticket, paint: Paint = plain): string {
  return `${t.id}  ${paintStatus(paint, t.status, t.status.padEnd(17))} ${(t.category ?? '-').padEnd(11)} ${(t.priority ?? '-').padEnd(8)} ${t.description.replace(/\s+/g, ' ').slice(0, 60)}`;
}

export function formatAgents(
  agents: Array<{ id: string; description: string; capabilities: CapabilityDescriptor[] }>,
): string {
  return agents
    .map((a) =>
      [
        `${a.id} — ${a.description}`,
        ...a.capabilities.map((c) => `  ${c.id.padEnd(34)} ${c.risk.padEnd(11)} ${c.description}`),
      ].join('\n'),
    )
    .join('\n');
}
