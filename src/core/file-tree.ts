// File trees: what the backup and sync agents need from a file system, local or on a device over SFTP.
// Paths are absolute POSIX paths on that system; every write goes through `under(root)` and cannot leave that root.
import { randomBytes } from 'node:crypto';

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
   * Opens a regular file to read it; refuses a symlink or anything else that is not a regular file. Locally with
   * O_NOFOLLOW; over SFTP (which has no such flag) the opened file must be the one `lstat` saw: a regular file with the
   * same owner, group and permissions, so a link swapped in between can only lead to a file its owner controls anyway.
   */
  open(path: string, mode: 'read'): Promise<OpenFile>;
  statfs(path: string): Promise<FsSpace>;
  read(path: string): Promise<Buffer>;
  /** Every write goes through here: changes confined to the directory `root` (absolute, canonical). */
  under(root: string): RootedTree;
}

/**
 * Writes that cannot leave their root. Paths are relative to it (no `.`, `..` or empty segment). Every component from
 * `/` down to the parent of the entry written is checked to be a real directory, never a symbolic link: a link on the
 * way (the root itself included) is refused with PATH_NOT_ALLOWED and nothing is written through it. Entries are
 * created exclusively and renamed into place, so a link at the entry itself is replaced or removed, never followed.
 * Locally each directory is opened relative to the one above it, leaving no window between check and write; over
 * SFTP (no openat) the chain is checked before and after each change, see the SFTP tree for what remains.
 */
export interface RootedTree {
  readonly root: string;
  /** Opens an existing regular file for reading and writing (rotation truncates it in place). */
  open(rel: string): Promise<OpenFile>;
  /**
   * Streams `data` into a new temp file beside `rel` (created exclusively) and returns its path (relative to the root)
   * and size; `rename` puts it in place. On failure or abort the temp file is removed.
   */
  writeTemp(
    rel: string,
    data: AsyncIterable<Buffer>,
    mode: number,
    signal?: AbortSignal,
  ): Promise<{ path: string; bytes: number }>;
  /** Renames an entry (never following links), atomically replacing whatever `to` names. */
  rename(from: string, to: string): Promise<void>;
  /**
   * Writes to a temp file beside `rel`, then renames it over `rel`: a reader sees the old file or the new one, never
   * half of it. Missing parent directories are created (0755). On failure or abort the temp file is removed.
   */
  writeAtomic(rel: string, data: Buffer, mode: number, signal?: AbortSignal): Promise<void>;
  /** Creates the directory and any missing parent; an existing directory is left as it is. */
  mkdir(rel: string, mode?: number): Promise<void>;
  /** Removes a file, a link or an empty directory; a missing path is not an error. */
  remove(rel: string): Promise<void>;
}

/** Opens the tree of one device (`local`, or an SSH device over SFTP on its pooled connection) for the length of `use`. */
export interface FileTrees {
  withTree<T>(deviceId: string, signal: AbortSignal | undefined, use: (tree: FileTree) => Promise<T>): Promise<T>;
}

/** Temp files of atomic writes carry this marker, so a sync never copies or keeps one. */
export const TEMP_MARKER = '.twisterlab-tmp-';

/** A fresh temp name for a write of `name`, in the same directory. */
export const tempNameFor = (name: string) => `${TEMP_MARKER}${randomBytes(6).toString('hex')}-${name}`;
