// Backups: the record kept for each one, where they are stored, and the engines that take and restore them
// (files as tar.gz with a manifest, PostgreSQL with pg_dump, Redis keys with DUMP and their TTLs).
export const BACKUP_TYPES = ['files', 'postgres', 'redis'] as const;
export type BackupType = (typeof BACKUP_TYPES)[number];

export interface BackupRecord {
  id: string;
  type: BackupType;
  /** The canonical target: a real path, a service name, or a URL without its password. */
  target: string;
  deviceId: string;
  /** The archive, under `<data dir>/backups/`. */
  path: string;
  sizeBytes: number;
  sha256: string;
  /** Engine facts needed to restore (file count, key pattern, …); never a secret. */
  details: Record<string, unknown>;
  ticketId: string | null;
  createdAt: string;
}

export interface BackupRepository {
  insertBackup(record: BackupRecord): Promise<void>;
  getBackup(id: string): Promise<BackupRecord | undefined>;
  listBackups(filter: { type?: BackupType; target?: string; limit: number }): Promise<BackupRecord[]>;
  deleteBackup(id: string): Promise<boolean>;
}

/** What an engine made of a target before touching it: canonical and safe to store. */
export interface ResolvedTarget {
  target: string;
  deviceId: string;
  details: Record<string, unknown>;
}

export interface BackupEngine {
  /** Validates and canonicalises the target (PATH_NOT_ALLOWED, SERVICE_NOT_FOUND, VALIDATION_FAILED). */
  resolve(input: { target: string; deviceId: string; pattern?: string }, signal: AbortSignal): Promise<ResolvedTarget>;
  /** Writes the archive to `file`; returns facts to keep in the record. */
  dump(target: ResolvedTarget, file: string, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Puts back exactly what `file` holds; checks every checksum before changing anything. */
  restore(record: BackupRecord, file: string, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/** The archive files themselves, under the data directory. */
export interface BackupFiles {
  pathFor(id: string, type: BackupType): string;
  /** Size and sha256 of a stored archive, undefined when it is missing. */
  inspect(file: string): Promise<{ sizeBytes: number; sha256: string } | undefined>;
  remove(file: string): Promise<void>;
}
