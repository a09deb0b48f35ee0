// What the files agent's capabilities receive: the device file trees and the roots they may touch.
import type { FileTrees } from '../../core/file-tree.ts';

export interface FilesDeps {
  trees: FileTrees;
  /** Canonical roots every path must lie under (TWISTERLAB_BACKUP_ROOTS, the same rule as backups and syncs). */
  roots: readonly string[];
  /** Entries one directory_usage walk visits at most before it reports `truncated`; default 200,000. */
  maxEntries?: number;
}

export const DEFAULT_MAX_ENTRIES = 200_000;
