// Reads TWISTERLAB_NOTIFY_FILE once at start (YAML or JSON): the channels, what each wants, and where it goes.
// Secrets (webhook URLs, HMAC keys, SMTP passwords) may be written as `{ env: NAME }`, read from the environment
// given to the configuration, so the file itself can be committed. A bad entry stops the start naming it.
import { z } from 'zod';
import { TwisterError } from '../../core/errors.ts';
import { NOTIFICATION_EVENTS, type NotificationEvent } from '../../core/notifications/notification-events.ts';
import type { NotificationRouter, OutboxTarget } from '../../core/notifications/outbox.ts';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from '../../core/ticket.ts';
import { readSettingsFile } from '../settings-file.ts';

const secret = z.union([
  z.string().min(1),
  z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name') }),
]);
const httpUrl = secret;

/** What every channel shares: which events, categories and priorities it wants (none listed: all of them). */
const wants = {
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 letters, digits, "_", "." or "-"'),
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1).optional(),
  categories: z.array(z.enum(CATEGORIES)).optional(),
  priorities: z.array(z.enum(PRIORITIES)).optional(),
};

const channelSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...wants, type: z.literal('slack'), url: httpUrl }),
  z.strictObject({ ...wants, type: z.literal('teams'), url: httpUrl }),
  z.strictObject({
    ...wants,
    type: z.literal('webhook'),
    url: httpUrl,
    secret: secret.optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z.strictObject({
    ...wants,
    type: z.literal('email'),
    smtp: z.strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      secure: z.boolean().optional(),
      requireTls: z.boolean().optional(),
      user: z.string().min(1).optional(),
      password: secret.optional(),
    }),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
  }),
]);

const fileSchema = z.strictObject({
  channels: z.array(channelSchema).default([]),
  /** The helpdesk callback (a ticket's callbackUrl, told of every state change): how it is signed. */
  callbacks: z
    .strictObject({ secret: secret.optional(), headers: z.record(z.string(), z.string()).optional() })
    .optional(),
});

/** The notifications file read: the channels, and the callback's signing secret. */
export interface NotifySettings {
  channels: ChannelSpec[];
  callbacks: { secret?: string | undefined; headers?: Record<string, string> | undefined };
}

interface Wants {
  name: string;
  events?: NotificationEvent[] | undefined;
  categories?: Category[] | undefined;
  priorities?: Priority[] | undefined;
}

/** A channel as configured, with its secrets read. */
export type ChannelSpec = Wants &
  (
    | { type: 'slack' | 'teams'; url: string }
    | { type: 'webhook'; url: string; secret?: string | undefined; headers?: Record<string, string> | undefined }
    | {
        type: 'email';
        smtp: {
          host: string;
          port: number;
          secure?: boolean | undefined;
          requireTls?: boolean | undefined;
          user?: string | undefined;
          password?: string | undefined;
        };
        from: string;
        to: string[];
      }
  );

/** By default a channel gets what a human acts on; `ticket.status_changed` only when it asks for it. */
export const DEFAULT_EVENTS: readonly NotificationEvent[] = NOTIFICATION_EVENTS.filter(
  (e) => e !== 'ticket.status_changed',
);

export function parseNotifyFile(
  doc: unknown,
  shown: string,
  env: (name: string) => string | undefined,
): NotifySettings {
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TwisterError('CONFIG_INVALID', `${shown}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const names = new Set<string>(['callback']);
  const read = (value: z.infer<typeof secret>, field: string): string => {
    if (typeof value === 'string') return value;
    const found = env(value.env);
    if (found === undefined)
      throw new TwisterError('CONFIG_INVALID', `${shown}: ${field}: the variable ${value.env} is not set`);
    return found;
  };
  const { callbacks } = parsed.data;
  const channels = parsed.data.channels.map((channel, index): ChannelSpec => {
    if (channel.name === 'callback')
      throw new TwisterError(
        'CONFIG_INVALID',
        `${shown}: channels.${index}.name: "callback" is reserved for the helpdesk callback`,
      );
    if (names.has(channel.name))
      throw new TwisterError('CONFIG_INVALID', `${shown}: channels.${index}.name: ${channel.name} is used twice`);
    names.add(channel.name);
    const at = `channels.${index}`;
    switch (channel.type) {
      case 'email':
        return {
          ...channel,
          smtp: {
            ...channel.smtp,
            password:
              channel.smtp.password === undefined ? undefined : read(channel.smtp.password, `${at}.smtp.password`),
          },
        } as ChannelSpec;
      case 'webhook':
        return {
          ...channel,
          url: read(channel.url, `${at}.url`),
          secret: channel.secret === undefined ? undefined : read(channel.secret, `${at}.secret`),
        } as ChannelSpec;
      default:
        return { ...channel, url: read(channel.url, `${at}.url`) } as ChannelSpec;
    }
  });
  return {
    channels,
    callbacks: {
      secret: callbacks?.secret === undefined ? undefined : read(callbacks.secret, 'callbacks.secret'),
      headers: callbacks?.headers,
    },
  };
}

export function loadNotifyFile(file: string, env: (name: string) => string | undefined): NotifySettings {
  const { doc, shown } = readSettingsFile('TWISTERLAB_NOTIFY_FILE', file);
  return parseNotifyFile(doc, shown, env);
}

/**
 * The channels as core's router: for an event, each channel that wants it with its ticket filters; and every
 * status change of a ticket that carries a callback URL goes to that URL.
 */
export function routerFor(specs: readonly ChannelSpec[]): NotificationRouter {
  const callback: OutboxTarget = { channel: 'callback', onlyWithCallback: true };
  return {
    targets(event) {
      return [
        ...(event === 'ticket.status_changed' ? [callback] : []),
        ...specs
          .filter((c) => (c.events ?? DEFAULT_EVENTS).includes(event))
          .map((c): OutboxTarget => ({
            channel: c.name,
            ...(c.categories ? { categories: c.categories } : {}),
            ...(c.priorities ? { priorities: c.priorities } : {}),
          })),
      ];
    },
  };
}
