// File trees: what the backup and sync agents need from a file system, local or on a device over SFTP.
// Paths are absolute POSIX paths on that system; writes are atomic (a temp file renamed into place).
export type FileKind = 'file' | 'dir' | 'symlink' | 'other';

export interface FileStat {
  kind: FileKind;
  size: number;
  /** Permission bits (0o7777). */
  mode: number;
}

export interface TreeEntry extends FileStat {
  /** POSIX path relative to the walked root, never starting with `/` or containing `..`. */
  path: string;
}

export interface FileTree {
  /** The path with every symlink followed; throws when it does not exist. */
  realpath(path: string): Promise<string>;
  /** Without following a final symlink; undefined when nothing is there. */
  lstat(path: string): Promise<FileStat | undefined>;
  /** Every entry under a directory, depth first, symlinks reported and not followed. */
  walk(root: string): Promise<TreeEntry[]>;
  read(path: string): Promise<Buffer>;
  /**
   * Writes to a temp file beside `path`, then renames it over `path`: a reader sees the old file or the new
   * one, never half of it. Parent directories are created. On failure or abort the temp file is removed.
   */
  writeAtomic(path: string, data: Buffer, mode: number, signal?: AbortSignal): Promise<void>;
  mkdir(path: string, mode?: number): Promise<void>;
  /** Removes a file or an empty directory; a missing path is not an error. */
  remove(path: string): Promise<void>;
}

/** Opens the tree of one device (`local`, or an SSH device over SFTP on its pooled connection) for the length of `use`. */
export interface FileTrees {
  withTree<T>(deviceId: string, signal: AbortSignal | undefined, use: (tree: FileTree) => Promise<T>): Promise<T>;
}

/** Temp files of atomic writes carry this marker, so a sync never copies or keeps one. */
export const TEMP_MARKER = '.twisterlab-tmp-';
