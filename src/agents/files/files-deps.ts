// What the files agent's capabilities receive: the device file trees and the roots they may touch.
import { TwisterError } from '../../core/errors.ts';
import type { FileTree, FileTrees } from '../../core/file-tree.ts';
import { canonicalisePath } from '../../core/path-guard.ts';

export interface FilesDeps {
  trees: FileTrees;
  /** Canonical roots every path must lie under (TWISTERLAB_BACKUP_ROOTS, the same rule as backups and syncs). */
  roots: readonly string[];
  /** Entries one directory_usage walk visits at most before it reports `truncated`; default 200,000. */
  maxEntries?: number;
}

export const DEFAULT_MAX_ENTRIES = 200_000;

/** The directory a capability works on: canonical (links resolved), under the roots, and a directory. */
export async function rootedDirectory(tree: FileTree, requested: string, roots: readonly string[]): Promise<string> {
  const dir = await canonicalisePath(requested, roots, (p) => tree.realpath(p));
  if ((await tree.lstat(dir))?.kind !== 'dir')
    throw new TwisterError('VALIDATION_FAILED', `${dir} is not a directory`, { path: dir });
  return dir;
}
