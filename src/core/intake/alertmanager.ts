// Alertmanager's webhook (payload version 4) as tickets: one ticket per alert fingerprint while it is open; a
// repeat firing is recorded on that ticket, never a second one; a resolved alert is recorded and closes a ticket
// that is only waiting (not started, or no fault found), never one being worked on. Labels map to the ticket's
// context (service, host:port) and words (severity), by a mapping that may be configured.
import { z } from 'zod';
import type { Caller } from '../access.ts';
import { TwisterError } from '../errors.ts';
import type { TicketEventBus } from '../events.ts';
import { submitTicket, type IntakeDeps } from '../ticket-intake.ts';
import type { Ticket } from '../ticket-repository.ts';
import { PRIORITIES, TICKET_LIMITS, type Priority, type TicketContext, type TicketStatus } from '../ticket.ts';

const first = (labels: Record<string, string>, names: readonly string[]) =>
  names.map((n) => labels[n]).find((v) => v !== undefined && v !== '');

const labelMap = z.record(z.string().max(200), z.string().max(1000));
const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelMap,
  annotations: labelMap.default({}),
  startsAt: z.string().max(64).optional(),
  endsAt: z.string().max(64).optional(),
  generatorURL: z.string().max(2048).optional(),
  fingerprint: z.string().min(1).max(TICKET_LIMITS.externalId),
});
export const alertmanagerPayload = z.object({
  version: z.literal('4', 'only Alertmanager webhook payload version 4 is understood'),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(200).optional(),
  groupKey: z.string().max(2000).optional(),
  truncatedAlerts: z.number().int().min(0).optional(),
  groupLabels: labelMap.optional(),
  commonLabels: labelMap.optional(),
  commonAnnotations: labelMap.optional(),
  externalURL: z.string().max(2048).optional(),
  alerts: z.array(alertSchema).min(1).max(200),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayload>;
type Alert = z.infer<typeof alertSchema>;

/** Which labels say what; the first label present wins. */
export const alertMappingSchema = z.strictObject({
  service: z.array(z.string()).default(['service', 'job']),
  host: z.array(z.string()).default(['instance']),
  severity: z.array(z.string()).default(['severity']),
  /** Severity label values → the ticket's priority, which the analysis keeps (a value not listed: the analysis decides). */
  priority: z
    .record(z.string(), z.enum(PRIORITIES))
    .default({ critical: 'high', page: 'high', error: 'high', warning: 'medium', info: 'low', none: 'low' }),
  /** Severity label values → the words put in the ticket's text. */
  severityWords: z.record(z.string(), z.string()).default({
    critical: 'critical, urgent',
    page: 'urgent',
    error: 'high priority',
    warning: 'medium priority',
    info: 'low priority',
  }),
  /** Labels kept as ticket labels (`name=value`). */
  keep: z.array(z.string()).default(['alertname', 'severity', 'service', 'job', 'instance']),
});
export type AlertMapping = z.infer<typeof alertMappingSchema>;
export const DEFAULT_ALERT_MAPPING: AlertMapping = alertMappingSchema.parse({});

/** Checks a mapping document (TWISTERLAB_ALERTMANAGER_MAPPING_FILE); names the field that is wrong. */
export function parseAlertMapping(doc: unknown, shown: string): AlertMapping {
  const parsed = alertMappingSchema.safeParse(doc ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new TwisterError('CONFIG_INVALID', `${shown}: ${issue.path.join('.') || 'document'}: ${issue.message}`);
}

/** The priority an alert's severity label maps to (the value as written, else in lower case); none when unmapped. */
export function alertPriority(labels: Record<string, string>, mapping: AlertMapping): Priority | undefined {
  const severity = first(labels, mapping.severity);
  if (severity === undefined) return undefined;
  return mapping.priority[severity] ?? mapping.priority[severity.toLowerCase()];
}

export interface AlertIntakeDeps extends IntakeDeps {
  events: TicketEventBus;
  mapping?: AlertMapping;
  /** Declared service names: a `service`/`job` label becomes the ticket's service only when it names one. */
  services?: () => readonly string[];
}

export interface AlertResult {
  fingerprint: string;
  ticketId: string | null;
  /** created, fired_again, resolved_closed (a waiting ticket closed), resolved_recorded, resolved_unknown */
  outcome: string;
}

// A ticket in these states only waits: nothing is running on it, so the alert's own "resolved" may close it.
const WAITING: ReadonlySet<TicketStatus> = new Set(['new', 'no_fault_found']);
const SOURCE = 'alertmanager';

export async function receiveAlerts(
  deps: AlertIntakeDeps,
  payload: AlertmanagerPayload,
  caller: Caller,
): Promise<AlertResult[]> {
  const results: AlertResult[] = [];
  for (const alert of payload.alerts) {
    results.push(alert.status === 'firing' ? await fired(deps, alert, caller) : await resolved(deps, alert, caller));
  }
  return results;
}

function describe(alert: Alert, mapping: AlertMapping): { title: string; description: string } {
  const name = alert.labels.alertname ?? 'alert';
  const service = first(alert.labels, mapping.service);
  const host = first(alert.labels, mapping.host);
  const severity = first(alert.labels, mapping.severity);
  const words = alert.annotations.description ?? alert.annotations.summary ?? alert.annotations.message ?? '';
  const lines = [
    `Alert ${name} is firing${service ? ` for ${service}` : ''}${host ? ` on ${host}` : ''}.`,
    words,
    severity
      ? `Severity: ${severity}${mapping.severityWords[severity] ? ` (${mapping.severityWords[severity]})` : ''}.`
      : '',
    alert.startsAt ? `Since ${alert.startsAt}.` : '',
  ];
  return {
    title: `${name}${service ? ` · ${service}` : ''}`.slice(0, TICKET_LIMITS.title),
    description: lines.filter(Boolean).join('\n').slice(0, 20_000),
  };
}

async function fired(deps: AlertIntakeDeps, alert: Alert, caller: Caller): Promise<AlertResult> {
  const mapping = deps.mapping ?? DEFAULT_ALERT_MAPPING;
  const { title, description } = describe(alert, mapping);
  const service = first(alert.labels, mapping.service);
  const declared = service !== undefined && (deps.services?.() ?? []).includes(service);
  const priority = alertPriority(alert.labels, mapping);
  const context: TicketContext = { ...(declared ? { serviceName: service } : {}), ...(priority ? { priority } : {}) };
  const labels = mapping.keep
    .flatMap((k) => (alert.labels[k] ? [`${k}=${alert.labels[k]}`.slice(0, TICKET_LIMITS.label)] : []))
    .slice(0, TICKET_LIMITS.labels);
  const { ticket, created } = await submitTicket(
    deps,
    {
      description,
      title,
      externalId: alert.fingerprint,
      labels,
      ...(Object.keys(context).length > 0 ? { context } : {}),
    },
    { requester: caller.name, source: SOURCE },
  );
  if (created) return { fingerprint: alert.fingerprint, ticketId: ticket.id, outcome: 'created' };
  await record(deps, ticket, caller, 'alert.fired_again', {
    fingerprint: alert.fingerprint,
    startsAt: alert.startsAt ?? null,
  });
  return { fingerprint: alert.fingerprint, ticketId: ticket.id, outcome: 'fired_again' };
}

async function resolved(deps: AlertIntakeDeps, alert: Alert, caller: Caller): Promise<AlertResult> {
  const ticket = await deps.store.findByExternalId(SOURCE, alert.fingerprint);
  if (!ticket) return { fingerprint: alert.fingerprint, ticketId: null, outcome: 'resolved_unknown' };
  const details = { fingerprint: alert.fingerprint, endsAt: alert.endsAt ?? null, status: ticket.status };
  if (!WAITING.has(ticket.status)) {
    await record(deps, ticket, caller, 'alert.resolved', details);
    return { fingerprint: alert.fingerprint, ticketId: ticket.id, outcome: 'resolved_recorded' };
  }
  const resolutionNote =
    `The alert resolved itself (Alertmanager${alert.endsAt ? `, ended ${alert.endsAt}` : ''}); nothing was changed. ${ticket.resolutionNote ?? ''}`.trim();
  try {
    const next = await deps.store.apply(ticket.id, {
      transition: { from: ticket.status, to: 'resolved' },
      patch: { resolutionNote, outcome: 'confirmed_no_fault', resolvedBy: caller.name },
      audit: [
        {
          ticketId: ticket.id,
          actor: caller.name,
          action: 'ticket.status_changed',
          fromStatus: ticket.status,
          toStatus: 'resolved',
          details: { ...details, reason: 'alert resolved' },
        },
      ],
    });
    deps.events.publish({
      type: 'status',
      ticketId: ticket.id,
      from: ticket.status,
      to: 'resolved',
      at: next.updatedAt,
      reason: resolutionNote,
      outcome: 'confirmed_no_fault',
    });
    deps.events.publish({ type: 'done', ticketId: ticket.id, status: 'resolved', success: true });
    return { fingerprint: alert.fingerprint, ticketId: ticket.id, outcome: 'resolved_closed' };
  } catch (error) {
    // The loop took it up meanwhile: it is being worked on, so the alert's end is only recorded.
    if (!(error instanceof TwisterError && (error.code === 'INVALID_TRANSITION' || error.code === 'TICKET_BUSY')))
      throw error;
    await record(deps, ticket, caller, 'alert.resolved', details);
    return { fingerprint: alert.fingerprint, ticketId: ticket.id, outcome: 'resolved_recorded' };
  }
}

async function record(
  deps: AlertIntakeDeps,
  ticket: Ticket,
  caller: Caller,
  action: string,
  details: Record<string, unknown>,
): Promise<void> {
  const next = await deps.store.apply(ticket.id, {
    audit: [{ ticketId: ticket.id, actor: caller.name, action, details }],
  });
  deps.events.publish({
    type: 'external',
    ticketId: ticket.id,
    at: next.updatedAt,
    source: SOURCE,
    what: action,
    details,
  });
}
