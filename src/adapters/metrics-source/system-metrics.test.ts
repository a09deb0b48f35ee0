import { describe, it, expect } from 'vitest';
import { createSystemMetricsSource, selectDisks } from './system-metrics.ts';

describe('createSystemMetricsSource', () => {
  it('reports plausible figures for this machine', async () => {
    const metrics = await createSystemMetricsSource().collect();
    expect(metrics.cpu.cores).toBeGreaterThanOrEqual(1);
    expect(metrics.cpu.usagePercent).toBeGreaterThanOrEqual(0);
    expect(metrics.cpu.usagePercent).toBeLessThanOrEqual(100);
    expect(metrics.memory.totalBytes).toBeGreaterThan(0);
    expect(metrics.memory.usedBytes + metrics.memory.availableBytes).toBe(metrics.memory.totalBytes);
    expect(metrics.disk.length).toBeGreaterThanOrEqual(1);
    expect(metrics.disk[0]!.sizeBytes).toBeGreaterThan(0);
    expect(metrics.load.one).toBeGreaterThanOrEqual(0);
    expect(metrics.uptimeSeconds).toBeGreaterThan(0);
    expect(metrics.hostname.length).toBeGreaterThan(0);
    expect(Date.now() - Date.parse(metrics.collectedAt)).toBeLessThan(10_000);
  });

  it('shares one collection between concurrent callers and serves repeats from the cache', async () => {
    const source = createSystemMetricsSource({ cacheMs: 60_000 });
    const [a, b] = await Promise.all([source.collect(), source.collect()]);
    expect(b).toBe(a);
    expect(await source.collect()).toBe(a);
  });

  it('collects again once the cache has expired', async () => {
    const source = createSystemMetricsSource({ cacheMs: 0 });
    const first = await source.collect();
    const second = await source.collect();
    expect(second).not.toBe(first);
  });

  it('lets a cancelled caller leave without waiting for the collection', async () => {
    const source = createSystemMetricsSource({ cacheMs: 0 });
    const controller = new AbortController();
    const pending = source.collect(controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CAPABILITY_ABORTED' });
  });
});

describe('selectDisks', () => {
  const entry = (fs: string, type: string, mount: string, size = 1000, used = 250) => ({
    fs,
    type,
    mount,
    size,
    used,
    available: size - used,
    use: (used / size) * 100,
    rw: true,
  });

  it('keeps real mounts, drops memory and kernel filesystems, and reports each mount once', () => {
    const disks = selectDisks([
      entry('/dev/vdb', 'xfs', '/var'),
      entry('overlay', 'overlay', '/'),
      entry('tmpfs', 'tmpfs', '/dev/shm'),
      entry('/dev/vdc', 'ext4', '/var'),
      entry('/dev/vdd', 'ext4', '/empty', 0, 0),
    ]);
    expect(disks).toEqual([
      { mount: '/', fs: 'overlay', sizeBytes: 1000, usedBytes: 250, usePercent: 25 },
      { mount: '/var', fs: '/dev/vdb', sizeBytes: 1000, usedBytes: 250, usePercent: 25 },
    ]);
  });
});
