// Host metrics of a remote device, read from /proc and df over its executor: fixed read-only commands,
// checked by the same guard as every other command (against their own narrow rules) and audited.
import type { AllowRule, SystemMetrics } from './ports.ts';

export const METRICS_COMMANDS = {
  basics: ['cat', '/proc/sys/kernel/hostname', '/proc/loadavg', '/proc/uptime'],
  memory: ['cat', '/proc/meminfo'],
  cpu: ['cat', '/proc/stat'],
  model: ['grep', '-m1', 'model name', '/proc/cpuinfo'],
  disk: ['df', '-kPT'],
} as const;

/** The only rules the metrics commands are checked against: exactly those argv, read-only. */
export const METRICS_RULES: AllowRule[] = Object.values(METRICS_COMMANDS).map(([program, ...args]) => ({
  program,
  args: [...args],
  risk: 'read',
}));

/** How long between the two /proc/stat samples that give the CPU usage. */
export const CPU_SAMPLE_MS = 250;

const PSEUDO_FS = new Set([
  'tmpfs',
  'devtmpfs',
  'ramfs',
  'squashfs',
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'devpts',
  'mqueue',
  'overlay',
  'nsfs',
  'efivarfs',
]);
const round1 = (n: number) => Math.round(n * 10) / 10;

export interface CpuSample {
  busy: number;
  total: number;
  cores: number;
}

export function parseProcStat(text: string): CpuSample {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no cpu line');
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const total = values.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total, cores: text.split('\n').filter((l) => /^cpu\d+\s/.test(l)).length };
}

export function cpuUsagePercent(first: CpuSample, second: CpuSample): number {
  const total = second.total - first.total;
  return total > 0
    ? round1(((second.busy - first.busy) / total) * 100)
    : round1((second.busy / Math.max(1, second.total)) * 100);
}

export function parseMeminfo(text: string): SystemMetrics['memory'] {
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  const totalBytes = kib('MemTotal');
  const available = kib('MemAvailable');
  const availableBytes = Number.isFinite(available) ? available : kib('MemFree') + kib('Buffers') + kib('Cached');
  const usedBytes = totalBytes - availableBytes;
  if (!(totalBytes > 0)) throw new Error('/proc/meminfo has no MemTotal');
  return { totalBytes, usedBytes, availableBytes, usedPercent: round1((usedBytes / totalBytes) * 100) };
}

/** `df -kPT`: Filesystem Type 1024-blocks Used Available Capacity Mounted-on; real filesystems only, one per mount. */
export function parseDf(text: string): SystemMetrics['disk'] {
  const disks = new Map<string, SystemMetrics['disk'][number]>();
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 7) continue;
    const [fs, type, blocks, used] = fields as [string, string, string, string];
    const mount = fields.slice(6).join(' ');
    const sizeBytes = Number(blocks) * 1024;
    if (PSEUDO_FS.has(type) || !(sizeBytes > 0) || disks.has(mount)) continue;
    const usedBytes = Number(used) * 1024;
    disks.set(mount, { mount, fs, sizeBytes, usedBytes, usePercent: round1((usedBytes / sizeBytes) * 100) });
  }
  return [...disks.values()].sort((a, b) => a.mount.localeCompare(b.mount));
}

/** hostname, loadavg and uptime, in that order (one `cat` of the three files). */
export function parseBasics(text: string): Pick<SystemMetrics, 'hostname' | 'load' | 'uptimeSeconds'> {
  const [hostname = '', loadavg = '', uptime = ''] = text.split('\n');
  const [one, five, fifteen] = loadavg.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every(Number.isFinite)) throw new Error('/proc/loadavg is not three numbers');
  return {
    hostname: hostname.trim(),
    load: { one: one!, five: five!, fifteen: fifteen! },
    uptimeSeconds: Math.round(Number(uptime.trim().split(/\s+/)[0])),
  };
}

export function parseModel(text: string): string {
  return /:\s*(.+)$/m.exec(text)?.[1]?.trim() || 'unknown';
}
