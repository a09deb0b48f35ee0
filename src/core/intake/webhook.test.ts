import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseWebhookSources, signatureMatches, valueAt } from './webhook.ts';

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const shown = 'TWISTERLAB_WEBHOOK_SOURCES_FILE (sources.yaml)';

describe('the webhook sources file', () => {
  it('takes a source with defaults: sha256 in X-Hub-Signature-256, sha1 in X-Hub-Signature, a secret from the environment', () => {
    const sources = parseWebhookSources(
      {
        sources: {
          glpi: { fields: { description: 'item.content' }, secret: 'a-literal-secret-of-20' },
          zammad: {
            fields: { description: 'article.body', externalId: 'ticket.number' },
            secret: { env: 'ZAMMAD_SECRET' },
            algorithm: 'sha1',
          },
          jira: { fields: { description: 'issue.fields.description' }, signatureHeader: 'X-Jira-Sig' },
        },
      },
      shown,
      env({ ZAMMAD_SECRET: 'from-the-environment' }),
    );
    expect(sources.get('glpi')).toMatchObject({
      algorithm: 'sha256',
      signatureHeader: 'x-hub-signature-256',
      secret: 'a-literal-secret-of-20',
    });
    expect(sources.get('zammad')).toMatchObject({
      algorithm: 'sha1',
      signatureHeader: 'x-hub-signature',
      secret: 'from-the-environment',
    });
    expect(sources.get('jira')).toMatchObject({ signatureHeader: 'x-jira-sig' });
    expect(sources.get('jira')!.secret).toBeUndefined();
  });

  it('names the file and the field of a mistake', () => {
    const bad: [unknown, RegExp][] = [
      [{ sources: { Zammad: { fields: { description: 'a' } } } }, /sources\.Zammad: source names are lower-case/],
      [{ sources: { z: { fields: { title: 'ticket.title' } } } }, /sources\.z\.fields\.description/],
      [
        { sources: { z: { fields: { description: 'article..body' } } } },
        /sources\.z\.fields\.description: must be a dot path/,
      ],
      [{ sources: { z: { fields: { description: 'a' }, secret: 'short' } } }, /sources\.z\.secret/],
      [{ sources: { z: { fields: { description: 'a' }, algorithm: 'md5' } } }, /sources\.z\.algorithm/],
      [
        { sources: { z: { fields: { description: 'a' }, secret: { env: 'UNSET_SECRET' } } } },
        /sources\.z\.secret: UNSET_SECRET is not set/,
      ],
      [{ sources: { z: { fields: { description: 'a' }, extra: true } } }, /sources\.z/],
    ];
    for (const [doc, message] of bad) {
      expect(() => parseWebhookSources(doc, shown, env({})), JSON.stringify(doc)).toThrow(message);
      expect(() => parseWebhookSources(doc, shown, env({}))).toThrow(shown);
    }
  });
});

describe('signatures and paths', () => {
  const [source] = parseWebhookSources(
    { sources: { s: { fields: { description: 'd' }, secret: 'sixteen-characters!' } } },
    shown,
    env({}),
  ).values();
  const raw = Buffer.from('{"d":"the VPN is down"}');
  const good = `sha256=${createHmac('sha256', 'sixteen-characters!').update(raw).digest('hex')}`;

  it('accepts only the HMAC of these very bytes with this algorithm', () => {
    expect(signatureMatches(source!, raw, good)).toBe(true);
    expect(signatureMatches(source!, raw, good.toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
    expect(signatureMatches(source!, Buffer.from('{"d": "the VPN is down"}'), good)).toBe(false);
    expect(signatureMatches(source!, raw, good.replace('sha256=', 'sha1='))).toBe(false);
    expect(signatureMatches(source!, raw, good.slice(0, -2))).toBe(false);
    expect(signatureMatches(source!, raw, undefined)).toBe(false);
  });

  it('reads strings and numbers at a dot path, nothing else', () => {
    const body = { ticket: { id: 42, title: '  Slow shop ', empty: ' ', tags: ['a'], nested: { ok: true } } };
    expect(valueAt(body, 'ticket.id')).toBe('42');
    expect(valueAt(body, 'ticket.title')).toBe('Slow shop');
    for (const p of [
      'ticket.empty',
      'ticket.tags',
      'ticket.nested',
      'ticket.missing',
      'ticket.title.length',
      'ticket.__proto__',
      'constructor',
    ]) {
      expect(valueAt(body, p), p).toBeUndefined();
    }
  });
});
