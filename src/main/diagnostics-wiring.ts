// Wiring of the diagnostic agents runbooks lean on: files (directory usage, log rotation) over the device file
// trees, under the backup roots; security (failed logins) reading logs under /var/log and the backup roots.
import { createDeviceFileTrees } from '../adapters/files/device-file-trees.ts';
import { createFilesAgent } from '../agents/files/files-agent.ts';
import { createSecurityAgent } from '../agents/security/security-agent.ts';
import type { Config } from '../config.ts';
import { LOCAL_DEVICE_ID } from '../core/device-spec.ts';
import type { DeviceWiring } from './device-wiring.ts';

export function wireDiagnostics(options: {
  config: Pick<Config, 'backupRoots'>;
  devices: Pick<DeviceWiring, 'pool' | 'catalog'>;
}) {
  const { config, devices } = options;
  const trees = createDeviceFileTrees({ pool: devices.pool, spec: (id) => devices.catalog.spec(id), isLocal: (id) => id === LOCAL_DEVICE_ID });
  const files = createFilesAgent({ trees, roots: config.backupRoots });
  const security = createSecurityAgent({ trees, logRoots: ['/var/log', ...config.backupRoots] });
  return { files, security };
}
