// Notifications: the channels file becomes the store's router (outbox rows written with each ticket change) and
// a dispatcher in this process (every API and worker process runs one; they share the rows).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Logger } from '../core/logger.ts';
import { createChannels } from '../adapters/notify/channels.ts';
import { createDispatcher, type NotificationDispatcher } from '../adapters/notify/dispatcher.ts';
import { loadNotifyFile, routerFor } from '../adapters/notify/notify-file.ts';
import type { OpenedStore } from '../adapters/store/open-store.ts';

export function wireNotifications(config: Config, opened: OpenedStore, logger: Logger): NotificationDispatcher {
  const notify = config.notify;
  const settings = notify.file ? loadNotifyFile(notify.file, config.secretEnv) : { channels: [], callbacks: {} };
  const channels = createChannels(settings, { allow: notify.allow, timeoutMs: notify.timeoutMs });
  const router = routerFor(settings.channels);
  opened.store.routeNotifications(router);
  if (notify.file)
    logger.info(
      { channels: settings.channels.map((s) => ({ name: s.name, type: s.type })) },
      'notification channels loaded',
    );
  return createDispatcher({
    outbox: opened.outbox,
    channels,
    logger,
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    pollMs: notify.pollMs,
    batch: notify.batch,
    leaseMs: notify.timeoutMs * 3 + 5_000,
    retry: notify.retry,
    pageBaseUrl: config.apiUrl,
    expiring: { withinMs: notify.expiryWarningMs, targets: router.targets('approval.expiring') },
  });
}
