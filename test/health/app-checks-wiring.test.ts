// The services file's `app` reaches the health check through the whole runtime: the password named by an
// environment variable is read through the configuration, used, and shown nowhere; an unset one stops the start.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const PASSWORD = 'cache-app-pw-m29xq7';
let redis: TestRedis;
let rt: TestRuntime;
let dir: string;

beforeAll(async () => {
  redis = await startTestRedis();
  const admin = new Redis(redis.url);
  await admin.call('ACL', 'SETUSER', 'cache_app', 'on', `>${PASSWORD}`, '~twisterlab:probe:*', '+set', '+del');
  admin.disconnect();
  dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-appwiring-'));
  writeFileSync(
    path.join(dir, 'services.yaml'),
    [
      'services:',
      `  - { name: cache, url: "${redis.url}", app: { user: cache_app, password: { env: CACHE_APP_PASSWORD } } }`,
      `  - { name: cache-no-file, url: "${redis.url}", app: { user: cache_app, password: { file: ${JSON.stringify(path.join(dir, 'missing'))} } } }`,
    ].join('\n'),
  );
  rt = await startTestRuntime('pglite', {
    TWISTERLAB_SERVICES_FILE: path.join(dir, 'services.yaml'),
    CACHE_APP_PASSWORD: PASSWORD,
  });
}, 60_000);

afterAll(async () => {
  await rt?.close();
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('monitoring.check_service_health with the app credentials of the services file', () => {
  it('checks as the app user with the password from the environment, and the output never holds it', async () => {
    const result = await rt.runtime.registry.invoke(
      'monitoring.check_service_health',
      { service_name: 'cache' },
      { actor: 'test' },
    );
    expect(result).toMatchObject({
      ok: true,
      output: {
        healthy: true,
        reachable: true,
        as_app: true,
        detail: 'write and delete of a probe key ok as user cache_app',
      },
    });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('fails the check with CONFIG_INVALID naming the password file it cannot read (read at check time)', async () => {
    const result = await rt.runtime.registry.invoke(
      'monitoring.check_service_health',
      { service_name: 'cache-no-file' },
      { actor: 'test' },
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'CONFIG_INVALID', message: expect.stringContaining(`${path.join(dir, 'missing')} (ENOENT)`) },
    });
  });

  it('refuses to start when a password names an environment variable that is not set, naming it', async () => {
    const file = path.join(dir, 'unset.yaml');
    writeFileSync(
      file,
      `services:\n  - { name: cache, url: "${redis.url}", app: { user: cache_app, password: { env: CACHE_UNSET_PASSWORD } } }\n`,
    );
    await expect(
      startTestRuntime('pglite', { TWISTERLAB_SERVICES_FILE: file, TWISTERLAB_DATA_DIR: path.join(dir, 'data') }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(
        'service cache: app.password names the environment variable CACHE_UNSET_PASSWORD, which is not set',
      ),
    });
  });
});
