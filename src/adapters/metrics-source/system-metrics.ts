// Host metrics of this machine through systeminformation. A collection costs about half a second,
// so results are cached briefly and concurrent callers share one collection in flight.
import { cpus, hostname, loadavg } from 'node:os';
import type * as si from 'systeminformation';
import { TwisterError } from '../../core/errors.ts';
import type { SystemMetrics, SystemMetricsSource } from '../../core/ports.ts';

// Memory-backed and kernel filesystems: they say nothing about disk space.
const PSEUDO_FS_TYPES = new Set([
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
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'hugetlbfs',
  'autofs',
  'nsfs',
  'efivarfs',
]);

type DiskEntry = SystemMetrics['disk'][number];

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Real mounts only, one entry per mount point (the first reported wins), sorted by mount. */
export function selectDisks(entries: si.Systeminformation.FsSizeData[]): DiskEntry[] {
  const byMount = new Map<string, DiskEntry>();
  for (const entry of entries) {
    if (PSEUDO_FS_TYPES.has(entry.type) || !(entry.size > 0) || byMount.has(entry.mount)) continue;
    byMount.set(entry.mount, {
      mount: entry.mount,
      fs: entry.fs,
      sizeBytes: entry.size,
      usedBytes: entry.used,
      usePercent: round1(entry.use ?? (entry.used / entry.size) * 100),
    });
  }
  return [...byMount.values()].sort((a, b) => a.mount.localeCompare(b.mount));
}

async function collectNow(): Promise<SystemMetrics> {
  // Loaded on the first collection (it is large): most processes never read host metrics.
  const si = await import('systeminformation');
  const [load, mem, disks] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize()]);
  const [one, five, fifteen] = loadavg() as [number, number, number];
  // "used" counts page cache; total minus available is what applications really hold.
  const usedBytes = mem.total - mem.available;
  return {
    hostname: hostname(),
    cpu: {
      cores: load.cpus.length || cpus().length,
      usagePercent: round1(load.currentLoad),
      model: cpus()[0]?.model.trim() ?? 'unknown',
    },
    memory: {
      totalBytes: mem.total,
      usedBytes,
      availableBytes: mem.available,
      usedPercent: round1((usedBytes / mem.total) * 100),
    },
    disk: selectDisks(disks),
    load: { one, five, fifteen },
    uptimeSeconds: Math.round(si.time().uptime),
    collectedAt: new Date().toISOString(),
  };
}

/** Waits for the shared collection but lets this caller leave early when its signal aborts. */
function forCaller<T>(shared: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(new TwisterError('CAPABILITY_ABORTED', 'metrics collection was cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new TwisterError('CAPABILITY_ABORTED', 'metrics collection was cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The first CPU figure is the average since boot (systeminformation compares against the previous call);
 * later ones cover the time since the previous collection.
 */
export function createSystemMetricsSource(options: { cacheMs?: number } = {}): SystemMetricsSource {
  const cacheMs = options.cacheMs ?? 2_000;
  let cached: { metrics: SystemMetrics; at: number } | undefined;
  let inFlight: Promise<SystemMetrics> | undefined;
  return {
    collect(signal) {
      if (cached && performance.now() - cached.at < cacheMs) return forCaller(Promise.resolve(cached.metrics), signal);
      inFlight ??= collectNow()
        .then((metrics) => {
          cached = { metrics, at: performance.now() };
          return metrics;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return forCaller(inFlight, signal);
    },
  };
}
