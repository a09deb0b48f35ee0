// Which mount holds a path: the longest mount point of /proc/self/mountinfo that contains it (bind mounts and
// nested mounts included), read through the device's own file tree.
import type { FileTree } from '../../core/file-tree.ts';
import { isUnder } from '../../core/path-guard.ts';

const MOUNTINFO = '/proc/self/mountinfo';
const MAX_MOUNTINFO_BYTES = 4 * 1024 * 1024;

/** Mount points of a mountinfo text (field 5), with the kernel's octal escapes (`\040` for a space) decoded. */
export function parseMountPoints(mountinfo: string): string[] {
  const points: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const point = line.split(' ')[4];
    if (point?.startsWith('/'))
      points.push(point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
  }
  return points;
}

export function mountOf(target: string, points: readonly string[]): string | undefined {
  return points.filter((point) => isUnder(target, point)).sort((a, b) => b.length - a.length)[0];
}

/** Undefined when the device has no readable mountinfo (not Linux, or /proc not mounted). */
export async function findMount(tree: FileTree, target: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const file = await tree.open(MOUNTINFO, 'read');
    const parts: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of file.chunks(0, signal)) {
        parts.push(chunk);
        size += chunk.length;
        if (size > MAX_MOUNTINFO_BYTES) break;
      }
    } finally {
      await file.close();
    }
    return mountOf(target, parseMountPoints(Buffer.concat(parts).toString('utf8')));
  } catch {
    signal?.throwIfAborted();
    return undefined;
  }
}
