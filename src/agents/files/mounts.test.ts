import { describe, expect, it } from 'vitest';
import { createLocalTree } from '../../adapters/files/local-tree.ts';
import { findMount, mountOf, parseMountPoints } from './mounts.ts';

const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '23 22 0:21 / /proc rw,nosuid - proc proc rw',
  '40 22 8:2 / /var rw,relatime shared:2 - ext4 /dev/sda2 rw',
  '41 40 8:3 / /var/log rw,relatime shared:3 - ext4 /dev/sda3 rw',
  '42 22 8:4 /data /srv/my\\040files rw - ext4 /dev/sda4 rw',
].join('\n');

describe('mounts', () => {
  it('reads mount points with escaped spaces', () => {
    expect(parseMountPoints(MOUNTINFO)).toEqual(['/', '/proc', '/var', '/var/log', '/srv/my files']);
  });

  it('picks the deepest mount point that contains the path, not a mere name prefix', () => {
    const points = parseMountPoints(MOUNTINFO);
    expect(mountOf('/var/log/nginx', points)).toBe('/var/log');
    expect(mountOf('/var/logs', points)).toBe('/var');
    expect(mountOf('/srv/my files/a', points)).toBe('/srv/my files');
    expect(mountOf('/home', points)).toBe('/');
  });

  it("finds this machine's mount of a real directory", async () => {
    expect(await findMount(createLocalTree(), '/proc/self')).toBe('/proc');
  });
});
