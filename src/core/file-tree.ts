// File trees: what the backup and sync agents need from a file system, local or on a device over SFTP.
// Paths are absolute POSIX paths on that system; writes are atomic (a temp file renamed into place).
export type FileKind = 'file' | 'dir' | 'symlink' | 'other';

export interface FileStat {
  kind: FileKind;
  size: number;
  /** Permission bits (0o7777). */
  mode: number;
  /** Last modification, in milliseconds since the epoch (whole seconds over SFTP). */
  mtimeMs: number;
}

export interface TreeEntry extends FileStat {
  /** POSIX path relative to the walked root, never starting with `/` or containing `..`. */
  path: string;
}

/** Free and total space of the file system holding a path. */
export interface FsSpace {
  sizeBytes: number;
  /** Free for an unprivileged user (df's "Available"). */
  availableBytes: number;
  /** Free including the blocks reserved for root. */
  freeBytes: number;
}

/** A regular file opened without following a final symlink; reads and writes go to that file, whatever the name points to later. */
export interface OpenFile {
  stat(): Promise<FileStat>;
  /** Up to `length` bytes from `position`; fewer at the end of the file. */
  read(position: number, length: number): Promise<Buffer>;
  /** From `position` to the end of the file as it is while reading. */
  chunks(position?: number, signal?: AbortSignal): AsyncIterable<Buffer>;
  truncate(size: number): Promise<void>;
  close(): Promise<void>;
}

export interface FileTree {
  /** The path with every symlink followed; throws when it does not exist. */
  realpath(path: string): Promise<string>;
  /** Without following a final symlink; undefined when nothing is there. */
  lstat(path: string): Promise<FileStat | undefined>;
  /** Every entry under a directory, depth first, symlinks reported and not followed. */
  walk(root: string): Promise<TreeEntry[]>;
  /** The entries directly in a directory (path = name), sorted, symlinks reported and not followed. */
  list(dir: string): Promise<TreeEntry[]>;
  /**
   * Opens a regular file; refuses a symlink or anything else that is not a regular file. Locally with O_NOFOLLOW;
   * over SFTP (which has no such flag) the opened file must be the one `lstat` saw: a regular file with the same
   * owner, group and permissions, so a link swapped in between can only lead to a file its owner controls anyway.
   */
  open(path: string, mode: 'read' | 'write'): Promise<OpenFile>;
  /**
   * Streams `data` into a new temp file beside `target` (created exclusively, so never through a link) and returns
   * its path and size; `rename` puts it in place. On failure or abort the temp file is removed.
   */
  writeTemp(target: string, data: AsyncIterable<Buffer>, mode: number, signal?: AbortSignal): Promise<{ path: string; bytes: number }>;
  /** Renames an entry (never following links), atomically replacing whatever `to` names. */
  rename(from: string, to: string): Promise<void>;
  statfs(path: string): Promise<FsSpace>;
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
