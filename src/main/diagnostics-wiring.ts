// Wiring of the diagnostic agents runbooks lean on: files (directory usage, log rotation) over the device file
// trees, under the backup roots; security (failed logins) reading logs under /var/log and the backup roots; and
// the network probes of the monitoring agent (certificate, reachability) under the probe egress rule.
import { createDeviceTcpProbe } from '../adapters/devices/ssh/device-tcp-probe.ts';
import { createDeviceFileTrees } from '../adapters/files/device-file-trees.ts';
import { createNetworkProbes } from '../adapters/network/network-probes.ts';
import { createFilesAgent } from '../agents/files/files-agent.ts';
import { createSecurityAgent } from '../agents/security/security-agent.ts';
import type { Config } from '../config.ts';
import { serviceEndpoint, type Endpoint } from '../core/declared-endpoints.ts';
import { LOCAL_DEVICE_ID } from '../core/device-spec.ts';
import type { ServiceDeclaration } from '../core/ports.ts';
import type { DeviceWiring } from './device-wiring.ts';

export function wireDiagnostics(options: {
  config: Pick<Config, 'backupRoots' | 'probeAllow'>;
  devices: Pick<DeviceWiring, 'pool' | 'catalog'>;
  services: readonly ServiceDeclaration[];
}) {
  const { config, devices } = options;
  const isLocal = (id: string) => id === LOCAL_DEVICE_ID;
  const spec = (id: string) => devices.catalog.spec(id);
  const trees = createDeviceFileTrees({ pool: devices.pool, spec, isLocal });
  const files = createFilesAgent({ trees, roots: config.backupRoots });
  const security = createSecurityAgent({ trees, logRoots: ['/var/log', ...config.backupRoots] });
  // Services checked through a device live at an address as that device sees it: not trusted from here. Each
  // endpoint is trusted on its own port only (a device on its SSH port).
  const declaredEndpoints = function* (): Generator<Endpoint> {
    for (const service of options.services) {
      const endpoint = service.deviceId ? undefined : serviceEndpoint(service);
      if (endpoint) yield endpoint;
    }
    for (const device of devices.catalog.list()) {
      const found = spec(device.id);
      if (found) yield { host: found.host, port: found.port };
    }
  };
  const probes = createNetworkProbes({
    allow: config.probeAllow,
    declaredEndpoints,
    isLocal,
    fromDevice: createDeviceTcpProbe({ pool: devices.pool, spec }),
  });
  return { files, security, probes };
}
