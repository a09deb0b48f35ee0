// Wiring of the backup and sync agents: file trees over the device pool (SFTP on the pooled SSH connection),
// the engines per backup type, the archive directory under the data directory, and the backups table.
import { createBackupFiles } from '../adapters/backup/backup-files.ts';
import { createFilesEngine } from '../adapters/backup/files-engine.ts';
import { createPostgresEngine } from '../adapters/backup/postgres-engine.ts';
import { createRedisEngine } from '../adapters/backup/redis-engine.ts';
import { createServiceTargets } from '../adapters/backup/service-target.ts';
import { createDeviceFileTrees } from '../adapters/files/device-file-trees.ts';
import type { OpenedStore } from '../adapters/store/open-store.ts';
import { createBackupAgent } from '../agents/backup/backup-agent.ts';
import { createSyncAgent } from '../agents/sync/sync-agent.ts';
import type { Config } from '../config.ts';
import { LOCAL_DEVICE_ID } from '../core/device-spec.ts';
import type { ServiceDeclaration } from '../core/ports.ts';
import type { DeviceWiring } from './device-wiring.ts';

const DAY_MS = 86_400_000;

export function wireBackupAndSync(options: {
  config: Pick<Config, 'dataDir' | 'backupRoots' | 'backupKeep' | 'backupMaxAgeDays'>;
  opened: Pick<OpenedStore, 'backups'>;
  devices: Pick<DeviceWiring, 'pool' | 'catalog'>;
  services: readonly ServiceDeclaration[];
}) {
  const { config, devices } = options;
  const trees = createDeviceFileTrees({
    pool: devices.pool,
    spec: (id) => devices.catalog.spec(id),
    isLocal: (id) => id === LOCAL_DEVICE_ID,
  });
  const targets = createServiceTargets(() => options.services);
  const backup = createBackupAgent({
    repository: options.opened.backups,
    files: createBackupFiles(config.dataDir),
    engines: {
      files: createFilesEngine({ trees, roots: config.backupRoots }),
      postgres: createPostgresEngine(targets),
      redis: createRedisEngine(targets),
    },
    keep: config.backupKeep,
    maxAgeMs: config.backupMaxAgeDays * DAY_MS,
  });
  const sync = createSyncAgent({ trees, roots: config.backupRoots });
  return { backup, sync };
}
