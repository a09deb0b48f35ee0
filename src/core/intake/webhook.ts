// Helpdesk webhooks (Zammad, GLPI, Jira Service Management, osTicket …) as tickets: each source of the sources file
// says where, in its JSON body, the description, title, external id, reporter, service and callback URL are (dot
// paths such as `ticket.title`), and may hold a secret the sender signs the raw body with (HMAC). The ticket's
// source is `webhook:<name>`, so a repeat delivery for an open ticket finds it by external id instead of opening a
// second one; new text in a repeat becomes a comment on it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Caller } from '../access.ts';
import { TwisterError } from '../errors.ts';
import type { TicketEventBus } from '../events.ts';
import { redactCounted } from '../redaction.ts';
import { submitTicket, type IntakeDeps } from '../ticket-intake.ts';
import type { Ticket } from '../ticket-repository.ts';
import { TICKET_LIMITS, WEBHOOK_SOURCE_NAME, type TicketOrigin } from '../ticket.ts';

const dotPath = z.string().regex(/^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$/, 'must be a dot path such as ticket.title');
const secretRef = z.union([
  z.string().min(16, 'must be at least 16 characters'),
  z.strictObject({ env: z.string().min(1) }),
]);

const sourceSchema = z.strictObject({
  /** Dot paths into the JSON body; only `description` is required. */
  fields: z.strictObject({
    description: dotPath,
    title: dotPath.optional(),
    externalId: dotPath.optional(),
    reporter: dotPath.optional(),
    service: dotPath.optional(),
    callbackUrl: dotPath.optional(),
  }),
  /** The HMAC key; a literal or `{ env: NAME }` (read from the environment, or the file NAME_FILE names). */
  secret: secretRef.optional(),
  algorithm: z.enum(['sha256', 'sha1']).default('sha256'),
  /** Where the signature comes, as `<algorithm>=<hex>`; GitHub's name by default (Zammad sends X-Hub-Signature). */
  signatureHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,100}$/)
    .optional(),
  /** Labels every ticket of this source carries. */
  labels: z.array(z.string().trim().min(1).max(TICKET_LIMITS.label)).max(TICKET_LIMITS.labels).default([]),
});
export const webhookSourcesSchema = z.strictObject({
  sources: z.record(z.string(), sourceSchema),
});

export interface WebhookSource {
  name: string;
  fields: z.infer<typeof sourceSchema>['fields'];
  secret?: string;
  algorithm: 'sha256' | 'sha1';
  /** Lower-case header name. */
  signatureHeader: string;
  labels: string[];
}
export type WebhookSources = ReadonlyMap<string, WebhookSource>;

/** Validates a sources document; `secretEnv` resolves `{ env: NAME }` secrets. A problem names the file and the field. */
export function parseWebhookSources(
  doc: unknown,
  shown: string,
  secretEnv: (name: string) => string | undefined,
): WebhookSources {
  const parsed = webhookSourcesSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TwisterError('CONFIG_INVALID', `${shown}: ${issue.path.join('.') || 'document'}: ${issue.message}`);
  }
  const sources = new Map<string, WebhookSource>();
  for (const [name, s] of Object.entries(parsed.data.sources)) {
    // Checked here rather than as the record's key schema, whose refusal would not say why.
    if (!WEBHOOK_SOURCE_NAME.test(name)) {
      throw new TwisterError(
        'CONFIG_INVALID',
        `${shown}: sources.${name}: source names are lower-case letters, digits, "_" or "-" (at most 40)`,
      );
    }
    let secret: string | undefined;
    if (typeof s.secret === 'string') secret = s.secret;
    else if (s.secret) {
      secret = secretEnv(s.secret.env);
      if (!secret)
        throw new TwisterError('CONFIG_INVALID', `${shown}: sources.${name}.secret: ${s.secret.env} is not set`);
    }
    const header = (
      s.signatureHeader ?? (s.algorithm === 'sha1' ? 'X-Hub-Signature' : 'X-Hub-Signature-256')
    ).toLowerCase();
    sources.set(name, {
      name,
      fields: s.fields,
      algorithm: s.algorithm,
      signatureHeader: header,
      labels: s.labels,
      ...(secret ? { secret } : {}),
    });
  }
  return sources;
}

/** Whether `presented` (`<algorithm>=<hex>`) is the HMAC of the raw body under the source's secret; constant time. */
export function signatureMatches(source: WebhookSource, raw: Buffer, presented: string | undefined): boolean {
  if (!source.secret || !presented) return false;
  const prefix = `${source.algorithm}=`;
  if (!presented.toLowerCase().startsWith(prefix)) return false;
  const given = Buffer.from(presented.slice(prefix.length).trim(), 'hex');
  const expected = createHmac(source.algorithm, source.secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The value at a dot path, as text: strings and numbers only (a helpdesk's ids are often numbers). */
export function valueAt(body: unknown, dotted: string): string | undefined {
  let value: unknown = body;
  for (const key of dotted.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

export interface WebhookIntakeDeps extends IntakeDeps {
  events: TicketEventBus;
  /** Declared service names: a mapped service becomes the ticket's service only when it names one. */
  services?: () => readonly string[];
}

export interface WebhookResult {
  ticket: Ticket;
  /** created; commented (a repeat with new text); unchanged (a repeat with nothing new) */
  outcome: 'created' | 'commented' | 'unchanged';
}

const DESCRIPTION_MAX = 20_000;

function mapped(source: WebhookSource, body: unknown) {
  const { fields } = source;
  const description = valueAt(body, fields.description);
  if (!description)
    throw new TwisterError(
      'VALIDATION_FAILED',
      `the body has no text at ${fields.description} (the description of source ${source.name})`,
      { path: fields.description },
    );
  const pick = (key: 'title' | 'externalId' | 'reporter' | 'service' | 'callbackUrl') =>
    fields[key] ? valueAt(body, fields[key]) : undefined;
  const externalId = pick('externalId');
  if (externalId && externalId.length > TICKET_LIMITS.externalId) {
    throw new TwisterError(
      'VALIDATION_FAILED',
      `the external id at ${fields.externalId} is longer than ${TICKET_LIMITS.externalId} characters`,
      { path: fields.externalId },
    );
  }
  const callbackUrl = pick('callbackUrl');
  if (
    callbackUrl &&
    !(
      URL.canParse(callbackUrl) &&
      /^https?:$/.test(new URL(callbackUrl).protocol) &&
      callbackUrl.length <= TICKET_LIMITS.callbackUrl
    )
  ) {
    throw new TwisterError(
      'VALIDATION_FAILED',
      `the callback URL at ${fields.callbackUrl} is not an http(s) URL of at most ${TICKET_LIMITS.callbackUrl} characters`,
      { path: fields.callbackUrl },
    );
  }
  const title = pick('title')?.replace(/\s+/g, ' ').slice(0, TICKET_LIMITS.title);
  const reporter = pick('reporter')?.slice(0, TICKET_LIMITS.reporter);
  return {
    description: description.slice(0, DESCRIPTION_MAX),
    title,
    externalId,
    reporter,
    service: pick('service'),
    callbackUrl,
  };
}

export async function receiveWebhook(
  deps: WebhookIntakeDeps,
  source: WebhookSource,
  body: unknown,
  caller: Caller,
): Promise<WebhookResult> {
  const m = mapped(source, body);
  const declared = m.service !== undefined && (deps.services?.() ?? []).includes(m.service);
  const labels = [...source.labels, ...(m.service ? [`service=${m.service}`.slice(0, TICKET_LIMITS.label)] : [])].slice(
    0,
    TICKET_LIMITS.labels,
  );
  const origin: TicketOrigin = {
    ...(m.title ? { title: m.title } : {}),
    ...(m.externalId ? { externalId: m.externalId } : {}),
    ...(m.reporter ? { reporter: m.reporter } : {}),
    ...(m.callbackUrl ? { callbackUrl: m.callbackUrl } : {}),
    ...(labels.length ? { labels } : {}),
  };
  const { ticket, created } = await submitTicket(
    deps,
    {
      description: m.description,
      ...origin,
      ...(declared ? { context: { serviceName: m.service! } } : {}),
    },
    { requester: caller.name, source: `webhook:${source.name}` },
  );
  if (created) return { ticket, outcome: 'created' };
  // A repeat delivery: its text is a comment unless the ticket says it already (the comment's external id is the
  // text's hash, so the same text delivered again adds nothing either).
  const text = redactCounted(m.description).text;
  if (text === ticket.description) return { ticket, outcome: 'unchanged' };
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 32);
  const comment = await deps.store.addComment(ticket.id, {
    author: m.reporter ?? caller.name,
    body: text,
    source: `webhook:${source.name}`,
    externalId: `sha256:${digest}`,
  });
  if (!comment) return { ticket, outcome: 'unchanged' };
  deps.events.publish({ type: 'comment', ticketId: ticket.id, comment });
  return { ticket, outcome: 'commented' };
}
