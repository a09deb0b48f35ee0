// Wiring of the diagnostic agents runbooks lean on: files (directory usage, log rotation) over the device file
// trees, under the backup roots; security (failed logins) reading logs under /var/log and the backup roots; and
// the network probes of the monitoring agent (certificate, reachability) under the probe egress rule.
import { createDeviceTcpProbe } from '../adapters/devices/ssh/device-tcp-probe.ts';
import { createDeviceFileTrees } from '../adapters/files/device-file-trees.ts';
import { createNetworkProbes } from '../adapters/network/network-probes.ts';
import { createFilesAgent } from '../agents/files/files-agent.ts';
import { createSecurityAgent } from '../agents/security/security-agent.ts';
import type { Config } from '../config.ts';
import { LOCAL_DEVICE_ID } from '../core/device-spec.ts';
import type { ServiceDeclaration } from '../core/ports.ts';
import type { DeviceWiring } from './device-wiring.ts';

/** The host of a declared service's target (URL or host:port); undefined when it has none. */
export function serviceHost(service: ServiceDeclaration): string | undefined {
  if (service.kind === 'tcp') return /^\[?([^\]]+?)\]?:\d{1,5}$/.exec(service.target)?.[1];
  try {
    return new URL(service.target).hostname || undefined;
  } catch {
    return undefined;
  }
}

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
  // Services checked through a device live at an address as that device sees it: not trusted from here.
  const declaredHosts = function* () {
    for (const service of options.services) if (!service.deviceId) yield serviceHost(service) ?? '';
    for (const device of devices.catalog.list()) yield spec(device.id)?.host ?? '';
  };
  const probes = createNetworkProbes({
    allow: config.probeAllow, declaredHosts: () => [...declaredHosts()].filter(Boolean), isLocal,
    fromDevice: createDeviceTcpProbe({ pool: devices.pool, spec }),
  });
  return { files, security, probes };
}
