// Builds the configured channels from the notifications file, each behind the outbound guard.
import type { NotifyChannel } from './channel.ts';
import { createChatChannel } from './chat-channels.ts';
import { createEmailChannel } from './email-channel.ts';
import type { PostOptions } from './guarded-post.ts';
import type { ChannelSpec, NotifySettings } from './notify-file.ts';
import { CALLBACK_CHANNEL, createWebhookChannel } from './webhook-channel.ts';

export function createChannels(settings: NotifySettings, post: PostOptions): Map<string, NotifyChannel> {
  const { secret, headers } = settings.callbacks;
  const channels = new Map<string, NotifyChannel>([
    [
      CALLBACK_CHANNEL,
      createWebhookChannel({
        name: CALLBACK_CHANNEL,
        type: 'callback',
        url: (m) => m.callbackUrl,
        post,
        ...(secret ? { secret } : {}),
        ...(headers ? { headers } : {}),
      }),
    ],
  ]);
  for (const spec of settings.channels) channels.set(spec.name, createChannel(spec, post));
  return channels;
}

function createChannel(spec: ChannelSpec, post: PostOptions): NotifyChannel {
  switch (spec.type) {
    case 'slack':
    case 'teams':
      return createChatChannel({ name: spec.name, type: spec.type, url: spec.url, post });
    case 'webhook':
      return createWebhookChannel({
        name: spec.name,
        url: spec.url,
        post,
        ...(spec.secret ? { secret: spec.secret } : {}),
        ...(spec.headers ? { headers: spec.headers } : {}),
      });
    case 'email':
      return createEmailChannel({
        name: spec.name,
        smtp: spec.smtp,
        from: spec.from,
        to: spec.to,
        timeoutMs: post.timeoutMs,
      });
  }
}
