import { describe, expect, it } from 'vitest';
import { parseServiceProfiles } from './service-profiles.ts';

describe('service profiles', () => {
  it('declares each service and keeps what runbooks need, never the URL', () => {
    const [web, db] = parseServiceProfiles(
      {
        services: [
          {
            name: 'web',
            url: 'http://127.0.0.1:8080/health',
            restart: '/opt/web/restart',
            logDir: '/var/log/web',
            category: 'application',
          },
          { name: 'orders', url: 'postgres://app:secret@127.0.0.1:5432/orders', device: 'db1' },
        ],
      },
      'services.yaml',
    );
    expect(web!.declaration).toEqual({ name: 'web', kind: 'http', target: 'http://127.0.0.1:8080/health' });
    expect(web!.facts).toEqual({
      name: 'web',
      kind: 'http',
      device: 'local',
      host: '127.0.0.1',
      port: 8080,
      scheme: 'http',
      restart: '/opt/web/restart',
      logDir: '/var/log/web',
    });
    expect(db!.declaration).toMatchObject({ kind: 'postgres', deviceId: 'db1' });
    expect(db!.facts).toMatchObject({ host: '127.0.0.1', port: 5432, scheme: 'postgres' });
    expect(JSON.stringify(db!.facts)).not.toContain('secret');
  });

  it('gives the checker how the app connects and what it must see, and runbooks none of it', () => {
    const [db, web] = parseServiceProfiles(
      {
        services: [
          {
            name: 'inventory-db',
            url: 'postgres://postgres@127.0.0.1:5432/postgres',
            app: { user: 'inventory', password: { env: 'INVENTORY_DB_PASSWORD' }, database: 'inventory' },
            check: { query: 'select count(*) from inventory;', timeoutMs: 2000 },
          },
          { name: 'shop', url: 'http://127.0.0.1:8080/', check: { status: 200, body: 'Inventory' } },
        ],
      },
      'services.yaml',
    );
    expect(db!.declaration).toMatchObject({
      app: { user: 'inventory', password: { env: 'INVENTORY_DB_PASSWORD' }, database: 'inventory' },
      check: { query: 'select count(*) from inventory;' },
    });
    expect(web!.declaration.check).toEqual({ status: 200, body: 'Inventory' });
    expect(JSON.stringify([db!.facts, web!.facts])).not.toMatch(/INVENTORY_DB_PASSWORD|app|check|Inventory/);
  });

  it.each([
    [
      { services: [{ name: 'db', url: 'postgres://h/db', app: { user: 'a', password: 'hunter2' } }] },
      /app\.password: must be \{ env: NAME \} or \{ file: \/absolute\/path \}/,
    ],
    [
      { services: [{ name: 'db', url: 'postgres://h/db', app: { user: 'a', password: { file: 'pw.txt' } } }] },
      /must be/,
    ],
    [
      { services: [{ name: 'db', url: 'postgres://h/db', check: { query: 'select 1; drop table t' } }] },
      /check\.query: must be a single statement/,
    ],
    [
      { services: [{ name: 'db', url: 'postgres://h/db', check: { body: 'ok' } }] },
      /service db: check.status\/check.body are for http services/,
    ],
    [
      { services: [{ name: 'web', url: 'http://h/', check: { query: 'select 1' } }] },
      /check.query\/check.timeoutMs are for postgres services/,
    ],
    [{ services: [{ name: 'ssh', url: 'tcp://h:22', app: { user: 'a' } }] }, /app is not used by tcp services/],
  ])('refuses a bad app or check with a message naming it (%#)', (doc, message) => {
    expect(() => parseServiceProfiles(doc, 'services.yaml')).toThrow(message);
  });

  it('gives the endpoint of an https service with its default port, and of a tcp or IPv6 one', () => {
    const [portal, ssh, v6] = parseServiceProfiles(
      {
        services: [
          { name: 'portal', url: 'https://portal.example.com/health' },
          { name: 'ssh', url: 'tcp://10.0.0.7:22' },
          { name: 'v6', url: 'http://[::1]:8081/' },
        ],
      },
      'services.yaml',
    );
    expect(portal!.facts).toMatchObject({ host: 'portal.example.com', port: 443, scheme: 'https' });
    expect(ssh!.facts).toMatchObject({ host: '10.0.0.7', port: 22, scheme: 'tcp' });
    expect(v6!.facts).toMatchObject({ host: '::1', port: 8081, scheme: 'http' });
  });

  it('keeps the aliases and description people know a service by', () => {
    const [crm] = parseServiceProfiles(
      {
        services: [
          {
            name: 'crm-web',
            url: 'http://127.0.0.1:8080/',
            aliases: ['crm', ' sales app '],
            description: 'customer records for the sales team',
          },
        ],
      },
      'services.yaml',
    );
    expect(crm).toMatchObject({ aliases: ['crm', 'sales app'], description: 'customer records for the sales team' });
    expect(crm!.facts).not.toHaveProperty('aliases');
  });

  it.each([
    [{ services: [{ name: 'web', url: 'ftp://x' }] }, /service web: .*unsupported scheme/],
    [
      { services: [{ name: 'web', url: 'http://x', logDir: 'relative/dir' }] },
      /service 1 \(web\), logDir: must be an absolute path/,
    ],
    [{ services: [{ name: 'web', url: 'http://x', configDir: '/etc/web' }] }, /configDir and baselineDir go together/],
    [
      {
        services: [
          { name: 'web', url: 'http://x' },
          { name: 'WEB', url: 'http://y' },
        ],
      },
      /declared twice/,
    ],
    [{ services: [{ name: 'web', url: 'http://x', shell: 'sh' }] }, /Unrecognized key/],
    [
      {
        services: [
          { name: 'web', url: 'http://x', aliases: ['api'] },
          { name: 'api', url: 'http://y' },
        ],
      },
      /service web: alias "api" is the name of another service/,
    ],
    [{ services: [{ name: 'web', url: 'http://x', aliases: ['x'] }] }, /service 1 \(web\), aliases.0: .*2/],
    [
      { services: [{ name: 'web', url: 'http://x', description: 'd'.repeat(501) }] },
      /service 1 \(web\), description: .*500/,
    ],
  ])('refuses a bad entry with a message naming it (%#)', (doc, message) => {
    expect(() => parseServiceProfiles(doc, 'services.yaml')).toThrow(message);
  });

  it('never echoes credentials in an error', () => {
    expect(() =>
      parseServiceProfiles({ services: [{ name: 'db', url: 'postgres://u:hunter2@h/db', category: 'nope' }] }, 'f'),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });
});
