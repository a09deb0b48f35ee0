// Redis faults PING walks past, on a private redis-server: at maxmemory with noeviction every write is refused,
// an ACL user may lack the right to write. The check writes and deletes a probe key as the app's user.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceChecker } from '../../src/adapters/health/service-checker.ts';
import type { ServiceDeclaration } from '../../src/core/ports.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.ts';

const APP_PASSWORD = 'redis-app-pw-x81m2q';
const checker = createServiceChecker();
let redis: TestRedis;
let admin: Redis;
let secrets: string;

const service = (app?: ServiceDeclaration['app']): ServiceDeclaration => ({
  name: 'cache',
  kind: 'redis',
  target: redis.url,
  ...(app ? { app } : {}),
});
const passwordFile = () => path.join(secrets, 'cache-password');

beforeAll(async () => {
  redis = await startTestRedis({ args: ['--maxmemory', '4mb', '--maxmemory-policy', 'noeviction'] });
  admin = new Redis(redis.url);
  secrets = mkdtempSync(path.join(tmpdir(), 'twisterlab-secrets-'));
  writeFileSync(passwordFile(), `${APP_PASSWORD}\n`, { mode: 0o600 });
  await admin.call(
    'ACL',
    'SETUSER',
    'cache_app',
    'on',
    `>${APP_PASSWORD}`,
    '~twisterlab:probe:*',
    '+set',
    '+del',
    '+ping',
  );
  await admin.call('ACL', 'SETUSER', 'reader', 'on', `>${APP_PASSWORD}`, '~*', '+get', '+ping');
}, 60_000);

afterAll(async () => {
  admin?.disconnect();
  await redis?.close();
  rmSync(secrets, { recursive: true, force: true });
});

describe('Redis checked with a write, as the application', () => {
  it('writes and deletes a probe key as the app user, whose password comes from a file, and leaves no key behind', async () => {
    const result = await checker.check(service({ user: 'cache_app', password: { file: passwordFile() } }), {
      timeoutMs: 5_000,
    });
    expect(result).toMatchObject({
      healthy: true,
      reachable: true,
      asApp: true,
      detail: 'write and delete of a probe key ok as user cache_app',
    });
    expect(await admin.keys('twisterlab:probe:*')).toEqual([]);
  });

  it('reports a wrong password as an auth failure without showing it', async () => {
    const wrongFile = path.join(secrets, 'wrong');
    writeFileSync(wrongFile, 'wrong-pw-55kq1z');
    const result = await checker.check(service({ user: 'cache_app', password: { file: wrongFile } }), {
      timeoutMs: 5_000,
    });
    expect(result).toMatchObject({
      healthy: false,
      reachable: true,
      asApp: true,
      failure: 'auth',
      errorCode: 'WRONGPASS',
    });
    expect(JSON.stringify(result)).not.toMatch(/wrong-pw-55kq1z|redis-app-pw/);
  });

  it('reports a user the ACL does not let write as an auth failure (NOPERM)', async () => {
    const result = await checker.check(service({ user: 'reader', password: { file: passwordFile() } }), {
      timeoutMs: 5_000,
    });
    expect(result).toMatchObject({ healthy: false, asApp: true, failure: 'auth', errorCode: 'NOPERM' });
  });

  it('reports a Redis full at maxmemory with noeviction as write_refused (OOM), while PING still passes', async () => {
    const filler = admin.duplicate();
    try {
      // Big values first, then small ones, until even a small write is refused: the server is over maxmemory.
      for (const size of [64 * 1024, 1024, 16]) {
        for (let i = 0; i < 5_000; i += 1) {
          const refused = await filler.set(`fill:${size}:${i}`, 'x'.repeat(size)).then(
            () => false,
            () => true,
          );
          if (refused) break;
        }
      }
      expect(await filler.ping()).toBe('PONG');
      const result = await checker.check(service({ user: 'cache_app', password: { file: passwordFile() } }), {
        timeoutMs: 5_000,
      });
      expect(result).toMatchObject({
        healthy: false,
        reachable: true,
        asApp: true,
        failure: 'write_refused',
        errorCode: 'OOM',
      });
      const noApp = await checker.check(service(), { timeoutMs: 5_000 });
      expect(noApp).toMatchObject({ healthy: false, asApp: false, failure: 'write_refused', errorCode: 'OOM' });
    } finally {
      await filler.flushall();
      filler.disconnect();
    }
    expect(await checker.check(service(), { timeoutMs: 5_000 })).toMatchObject({ healthy: true });
  });
});
