// Chat webhooks. Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat read the same `text` +
// `blocks`; those that ignore blocks show the text), and Microsoft Teams workflow webhooks ("When a Teams webhook
// request is received"), which take a message with one Adaptive Card attachment.
import type { NotificationMessage } from '../../core/notifications/notification-message.ts';
import type { NotifyChannel } from './channel.ts';
import { expectSuccess, guardedPost, type PostOptions } from './guarded-post.ts';

// Slack mrkdwn treats &, < and > as control characters: escaped, so ticket text cannot inject links or mentions.
const mrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackPayload(message: NotificationMessage): Record<string, unknown> {
  const text = `${message.title}\n${message.lines.join('\n')}`;
  return {
    text: mrkdwn(text).slice(0, 3_000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: message.title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: mrkdwn(message.lines.join('\n')).slice(0, 3_000) || ' ' } },
      {
        type: 'section',
        fields: message.facts
          .slice(0, 10)
          .map((f) => ({ type: 'mrkdwn', text: `*${mrkdwn(f.label)}*\n${mrkdwn(f.value)}` })),
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `<${message.url}|Open ticket ${message.ticketId}> · ${message.event} · delivery ${message.deliveryId}`,
          },
        ],
      },
    ],
  };
}

export function teamsPayload(message: NotificationMessage): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: message.title, weight: 'Bolder', size: 'Medium', wrap: true },
            ...message.lines.map((line) => ({ type: 'TextBlock', text: line, wrap: true, spacing: 'Small' })),
            { type: 'FactSet', facts: message.facts.map((f) => ({ title: f.label, value: f.value })) },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open ticket', url: message.url }],
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

export function createChatChannel(options: {
  name: string;
  type: 'slack' | 'teams';
  url: string;
  post: PostOptions;
}): NotifyChannel {
  const render = options.type === 'slack' ? slackPayload : teamsPayload;
  return {
    name: options.name,
    type: options.type,
    async send(message) {
      const result = await guardedPost(
        options.url,
        JSON.stringify(render(message)),
        { 'idempotency-key': message.deliveryId },
        options.post,
      );
      expectSuccess(result, `${options.type} webhook ${options.name}`);
    },
  };
}
