import { describe, expect, it } from 'vitest';
import { parseNotifyFile, routerFor } from './notify-file.ts';

const env = (vars: Record<string, string>) => (name: string) => vars[name];

describe('the notifications file', () => {
  it('reads channels with secrets from the environment and routes events to the channels that want them', () => {
    const { channels: specs, callbacks } = parseNotifyFile(
      {
        channels: [
          {
            name: 'ops',
            type: 'slack',
            url: { env: 'SLACK_URL' },
            events: ['ticket.escalated'],
            priorities: ['critical', 'high'],
          },
          { name: 'hook', type: 'webhook', url: 'https://hooks.example.com/tl', secret: { env: 'HOOK_SECRET' } },
        ],
        callbacks: { secret: { env: 'HOOK_SECRET' } },
      },
      'notify.yaml',
      env({ SLACK_URL: 'https://hooks.slack.com/services/T/B/x', HOOK_SECRET: 's3cret-value' }),
    );
    expect(specs[0]).toMatchObject({ url: 'https://hooks.slack.com/services/T/B/x' });
    expect(specs[1]).toMatchObject({ secret: 's3cret-value' });
    const router = routerFor(specs);
    expect(router.targets('ticket.escalated')).toEqual([
      { channel: 'ops', priorities: ['critical', 'high'] },
      { channel: 'hook' },
    ]);
    expect(router.targets('approval.requested')).toEqual([{ channel: 'hook' }]);
    expect(callbacks.secret).toBe('s3cret-value');
    // Every status change goes to the ticket's own callback URL, when it has one.
    expect(router.targets('ticket.status_changed')).toEqual([{ channel: 'callback', onlyWithCallback: true }]);
  });

  it('refuses a bad entry naming the file, the entry and the problem', () => {
    expect(() =>
      parseNotifyFile({ channels: [{ name: 'x', type: 'pager', url: 'https://a.example' }] }, 'n.yaml', env({})),
    ).toThrow(/n\.yaml: channels\.0\.type/);
    expect(() =>
      parseNotifyFile(
        { channels: [{ name: 'x', type: 'slack', url: 'https://a.example', events: ['ticket.exploded'] }] },
        'n.yaml',
        env({}),
      ),
    ).toThrow(/channels\.0\.events\.0/);
    expect(() =>
      parseNotifyFile({ channels: [{ name: 'x', type: 'webhook', url: { env: 'MISSING' } }] }, 'n.yaml', env({})),
    ).toThrow(/channels\.0\.url: the variable MISSING is not set/);
    expect(() =>
      parseNotifyFile(
        {
          channels: [
            { name: 'x', type: 'teams', url: 'https://a.example' },
            { name: 'x', type: 'teams', url: 'https://b.example' },
          ],
        },
        'n.yaml',
        env({}),
      ),
    ).toThrow(/x is used twice/);
    expect(() =>
      parseNotifyFile({ channels: [{ name: 'callback', type: 'teams', url: 'https://a.example' }] }, 'n.yaml', env({})),
    ).toThrow(/"callback" is reserved/);
  });
});
