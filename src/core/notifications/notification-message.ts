// What a notification says, whatever the channel: a title, a few lines, labelled facts and what a human can do.
// Made from the outbox row; every string is redacted of secrets here, so no channel can leak one.
import { redactSecrets, redactValue } from '../redaction.ts';
import type { OutboxEntry } from './outbox.ts';

export interface NotificationMessage {
  event: OutboxEntry['event'];
  ticketId: string;
  deliveryId: string;
  title: string;
  /** Plain-text lines (no markup): what happened and what is asked. */
  lines: string[];
  facts: Array<{ label: string; value: string }>;
  /** The ticket's page. */
  url: string;
  /** The team routing chose for the ticket, and the plain-words handoff for the person who takes it (when written). */
  team: string | null;
  handoffSummary: string | null;
  /** The ticket as the change left it, redacted (for channels that carry data, not prose). */
  ticket: Record<string, unknown>;
  details: Record<string, unknown>;
  /** Where the ticket's own helpdesk wants its changes (a destination, not content: not redacted). */
  callbackUrl: string | null;
}

const MAX_TEXT = 1_500;

const clip = (text: string, max = MAX_TEXT) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

interface ApprovalShown {
  id: string;
  stepIndex: number;
  expiresAt: string;
  capability?: string;
  description?: string;
  why?: string;
  risk?: string;
}
interface FindingShown {
  id: string;
  target: string;
  summary?: string;
  evidence?: Record<string, unknown>;
}

export function buildMessage(entry: OutboxEntry, pageBaseUrl: string): NotificationMessage {
  const ticket = redactValue(entry.payload.ticket);
  const details = redactValue(entry.payload.details);
  const id = entry.ticketId;
  const name = str(ticket.title) ?? clip(String(ticket.description ?? '').split('\n')[0] ?? '', 120);
  const url = `${pageBaseUrl.replace(/\/+$/, '')}/tickets/${id}`;
  const facts = [
    { label: 'Ticket', value: id },
    { label: 'Status', value: String(ticket.status) },
    ...(str(ticket.category) ? [{ label: 'Category', value: String(ticket.category) }] : []),
    ...(str(ticket.priority) ? [{ label: 'Priority', value: String(ticket.priority) }] : []),
    ...(str(ticket.team) ? [{ label: 'Team', value: String(ticket.team) }] : []),
    ...(str(ticket.assignee) ? [{ label: 'Assignee', value: String(ticket.assignee) }] : []),
    { label: 'Requester', value: String(ticket.reporter ?? ticket.requester ?? '') },
  ];
  const { title, lines } = describe(entry.event, ticket, details, id, url);
  const summary = str(ticket.handoff_summary);
  return {
    team: str(ticket.team) ?? null,
    handoffSummary: summary ? redactSecrets(summary) : null,
    callbackUrl: typeof entry.payload.ticket.callback_url === 'string' ? entry.payload.ticket.callback_url : null,
    event: entry.event,
    ticketId: id,
    deliveryId: entry.idempotencyKey,
    url,
    ticket,
    details,
    facts,
    title: redactSecrets(`${title}: ${name}`),
    lines: lines.map((l) => redactSecrets(clip(l))),
  };
}

function describe(
  event: OutboxEntry['event'],
  ticket: Record<string, unknown>,
  details: Record<string, unknown>,
  id: string,
  url: string,
): { title: string; lines: string[] } {
  const findings = findingLines((details.findings ?? ticket.findings) as FindingShown[] | undefined);
  // The plain-words handoff first (what is asked, which system, how urgent, what was found, what is left, which
  // team); ids and rule texts after it, as technical detail.
  const handoff = (str(ticket.handoff_summary) ?? '').split('\n').filter((l) => l.trim() !== '');
  switch (event) {
    case 'ticket.escalated':
      return {
        title: 'Ticket escalated',
        lines: [
          ...handoff,
          `Technical detail: ${str(details.reason) ?? str(ticket.escalation_reason) ?? 'not given'}`,
          ...findings,
          `Open: ${url}`,
        ],
      };
    case 'ticket.resolved':
      return {
        title: 'Ticket resolved',
        lines: [`Note: ${str(details.note) ?? str(ticket.resolution_note) ?? 'none'}`, `Open: ${url}`],
      };
    case 'ticket.no_fault_found':
      return {
        title: 'No fault found',
        lines: [
          'Diagnosis found nothing wrong. Is the problem still there? Please tell us, or confirm it is solved.',
          ...findings,
          `Answer on: ${url}`,
        ],
      };
    case 'approval.requested':
      return {
        title: 'Approval requested',
        lines: [...handoff, ...approvalLines((details.approvals ?? []) as ApprovalShown[], id, url), ...findings],
      };
    case 'approval.expiring': {
      const approval = details.approval as ApprovalShown | undefined;
      return {
        title: 'Approval about to expire',
        lines: [
          `Approval ${approval?.id ?? ''} expires at ${approval?.expiresAt ?? 'soon'}; without it the ticket goes to a human.`,
          ...approvalLines(approval ? [approval] : [], id, url),
        ],
      };
    }
    default:
      return {
        title: `Ticket ${String(details.from ?? '?')} → ${String(details.to ?? ticket.status)}`,
        lines: [`Open: ${url}`],
      };
  }
}

function approvalLines(approvals: ApprovalShown[], id: string, url: string): string[] {
  return approvals.flatMap((a) => [
    `Step ${a.stepIndex}: ${a.description ?? a.capability ?? 'a step'}${a.risk ? ` (risk: ${a.risk})` : ''}`,
    ...(a.why ? [`Why approval is needed: ${a.why}`] : []),
    `Expires: ${a.expiresAt}`,
    `Approve from the CLI: twisterlab approve ${a.id}   (deny: twisterlab deny ${a.id} --reason "…")`,
    `Or on the page: ${url} (ticket ${id})`,
  ]);
}

function findingLines(findings: FindingShown[] | undefined): string[] {
  if (!Array.isArray(findings) || findings.length === 0) return [];
  return [
    'Findings:',
    ...findings.slice(0, 10).map((f) => {
      const figures = Object.entries(f.evidence ?? {})
        .slice(0, 6)
        .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(', ');
      return `- ${f.id} on ${f.target}${f.summary ? `: ${f.summary}` : ''}${figures ? ` (${figures})` : ''}`;
    }),
  ];
}
