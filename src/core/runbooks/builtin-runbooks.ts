// The built-in catalogue: read-only diagnostics first, then fixes, then a verification. Later issues add
// change steps (restart, rotate, cancel a query) behind backups and approvals.
import type { Runbook } from './runbook.ts';

const serviceHealthy = {
  capability: 'monitoring.check_service_health',
  params: { service_name: '{{context.serviceName}}' },
  description: 'Check that the service answers',
  expect: [{ path: 'healthy', op: 'eq' as const, value: true }],
};

export const builtinRunbooks: Runbook[] = [
  {
    id: 'service-unavailable',
    title: 'A named service does not answer',
    categories: ['application', 'database', 'network', 'performance'],
    keywords: ['down', 'unreachable', 'not responding', 'timeout', 'refused', '500', '502', '503', 'error', 'offline'],
    diagnose: [
      { ...serviceHealthy, description: 'Probe the service (HTTP, TCP, PostgreSQL or Redis)', expect: undefined },
      { capability: 'commander.execute_command', params: { device_id: 'local', command: 'ss -tln' }, description: 'List listening sockets' },
      { capability: 'monitoring.get_system_metrics', params: {}, description: 'Read CPU, memory, disk and load' },
    ],
    fix: [],
    verify: [serviceHealthy],
  },
  {
    // Fits only services with a baseline in TWISTERLAB_CONFIG_BASELINES. The sync is a change; the backup before
    // it is what the rollback restores when the service is still unhealthy afterwards.
    id: 'config-drift',
    title: "A service's configuration drifted: put back its known-good copy",
    categories: ['application', 'database', 'network', 'performance'],
    keywords: ['config', 'configuration', 'drift', 'setting', 'misconfigur', 'changed'],
    diagnose: [{ ...serviceHealthy, description: 'Probe the service before touching its configuration', expect: undefined }],
    fix: [
      {
        capability: 'sync.sync_data',
        params: { source: '{{service.baselineDir}}', destination: '{{service.configDir}}' },
        description: 'Copy the known-good configuration over the live one (changed files only, atomic writes)',
        backup: { target: '{{service.configDir}}', type: 'files' },
      },
    ],
    verify: [serviceHealthy],
  },
  {
    id: 'disk-space',
    title: 'Disk filling up',
    categories: ['storage'],
    keywords: ['disk', 'space', 'full', 'quota', 'inode', 'volume'],
    diagnose: [
      { capability: 'commander.execute_command', params: { device_id: 'local', command: 'df -h' }, description: 'Show disk usage per file system' },
      { capability: 'commander.execute_command', params: { device_id: 'local', command: 'df -i' }, description: 'Show inode usage per file system' },
    ],
    fix: [],
    verify: [
      {
        capability: 'monitoring.get_system_metrics',
        params: {},
        description: 'Every file system below 90 % used',
        expect: [{ path: 'disk.*.use_percent', op: 'lt', value: 90 }],
      },
    ],
  },
  {
    id: 'host-slow',
    title: 'Host slow or overloaded',
    categories: ['performance'],
    keywords: ['slow', 'lag', 'cpu', 'memory', 'load', 'hang', 'freez', 'sluggish'],
    diagnose: [
      { capability: 'commander.execute_command', params: { device_id: 'local', command: 'uptime' }, description: 'Read load averages' },
      { capability: 'commander.execute_command', params: { device_id: 'local', command: 'free -m' }, description: 'Read memory use' },
      { capability: 'commander.execute_command', params: { device_id: 'local', command: 'ps aux' }, description: 'List processes' },
    ],
    fix: [],
    verify: [
      {
        capability: 'monitoring.get_system_metrics',
        params: {},
        description: 'Memory and CPU below 95 %',
        expect: [
          { path: 'memory.used_percent', op: 'lt', value: 95 },
          { path: 'cpu.usage_percent', op: 'lt', value: 95 },
        ],
      },
    ],
  },
  {
    id: 'hardware-facts',
    title: 'Hardware complaint: gather facts for a technician',
    categories: ['hardware'],
    keywords: [],
    diagnose: [
      { capability: 'monitoring.get_system_metrics', params: {}, description: 'Read CPU, memory, disk and load' },
      { capability: 'commander.execute_command', params: { device_id: 'local', command: 'uname -a' }, description: 'Identify the machine' },
    ],
    fix: [],
    verify: [],
    escalateAfterDiagnosis: 'hardware faults need hands on the machine; diagnostics are attached',
  },
];
