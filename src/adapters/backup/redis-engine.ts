// Redis backups: the keys matching a pattern, each as DUMP output with its remaining TTL and a sha256, in a
// gzipped JSON archive. Restore checks every checksum, deletes keys of the pattern that were not saved, and
// RESTOREs the saved ones (REPLACE) in one MULTI, so the pattern's keys are back to the saved state at once.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import type { Redis } from 'ioredis';
import type { BackupEngine } from '../../core/backup.ts';
import { TwisterError } from '../../core/errors.ts';
import { writeArchive } from './backup-files.ts';
import type { ServiceTargets } from './service-target.ts';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface SavedKey {
  key: string;
  ttl: number;
  value: string;
  sha256: string;
}
interface Snapshot {
  version: 1;
  pattern: string;
  keys: SavedKey[];
}

async function withRedis<T>(url: string, signal: AbortSignal, use: (redis: Redis) => Promise<T>): Promise<T> {
  const { Redis } = await import('ioredis');
  const redis: Redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  const abort = () => redis.disconnect();
  signal.addEventListener('abort', abort, { once: true });
  try {
    await redis.connect();
    return await use(redis);
  } catch (error) {
    if (error instanceof TwisterError) throw error;
    throw new TwisterError('BACKUP_FAILED', `redis: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    signal.removeEventListener('abort', abort);
    redis.disconnect();
  }
}

async function matchingKeys(redis: Redis, pattern: string): Promise<Buffer[]> {
  const keys: Buffer[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = String(next);
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

async function snapshot(redis: Redis, pattern: string): Promise<Snapshot> {
  const keys = await matchingKeys(redis, pattern);
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.dumpBuffer(key).pttl(key);
  const replies = (await pipeline.exec()) ?? [];
  const saved: SavedKey[] = [];
  keys.forEach((key, i) => {
    const value = replies[2 * i]?.[1] as Buffer | null;
    const ttl = replies[2 * i + 1]?.[1] as number;
    // Gone between SCAN and DUMP: it is not part of the state any more.
    if (!value || ttl === -2) return;
    saved.push({
      key: key.toString('base64'),
      ttl: ttl > 0 ? ttl : 0,
      value: value.toString('base64'),
      sha256: sha256(value),
    });
  });
  return { version: 1, pattern, keys: saved };
}

async function readSnapshot(file: string): Promise<Snapshot> {
  let parsed: Snapshot;
  try {
    parsed = JSON.parse((await gunzip(await fs.readFile(file))).toString('utf8')) as Snapshot;
  } catch (error) {
    throw new TwisterError('BACKUP_CORRUPT', 'the Redis snapshot cannot be read', undefined, { cause: error });
  }
  for (const key of parsed.keys) {
    if (sha256(Buffer.from(key.value, 'base64')) !== key.sha256)
      throw new TwisterError('BACKUP_CORRUPT', 'a saved Redis value does not match its sha256');
  }
  return parsed;
}

export function createRedisEngine(targets: ServiceTargets): BackupEngine {
  return {
    resolve: async ({ target, pattern }) => {
      const resolved = targets.resolve(target, 'redis');
      return { ...resolved, details: { ...resolved.details, pattern: pattern ?? '*' } };
    },
    dump: async (resolved, file, signal) => {
      const url = targets.url(resolved.target, resolved.details.source, 'redis');
      const data = await withRedis(url, signal, (redis) => snapshot(redis, String(resolved.details.pattern)));
      await writeArchive(file, await gzip(Buffer.from(JSON.stringify(data))));
      return { keys: data.keys.length };
    },
    restore: async (record, file, signal) => {
      const saved = await readSnapshot(file);
      const url = targets.url(record.target, record.details.source, 'redis');
      return withRedis(url, signal, async (redis) => {
        const keep = new Set(saved.keys.map((k) => k.key));
        const stale = (await matchingKeys(redis, saved.pattern)).filter((k) => !keep.has(k.toString('base64')));
        const multi = redis.multi();
        if (stale.length > 0) multi.del(...stale);
        for (const key of saved.keys)
          multi.restore(Buffer.from(key.key, 'base64'), key.ttl, Buffer.from(key.value, 'base64'), 'REPLACE');
        const results = (await multi.exec()) ?? [];
        const failed = results.find(([error]) => error);
        if (failed) throw new TwisterError('BACKUP_FAILED', `redis restore failed: ${failed[0]!.message}`);
        return { keys_restored: saved.keys.length, keys_removed: stale.length };
      });
    },
  };
}
