// The backup repository on Drizzle (PGlite or PostgreSQL): one row per backup taken.
import { and, desc, eq } from 'drizzle-orm';
import type { InferSelectModel } from 'drizzle-orm';
import type { BackupRecord, BackupRepository, BackupType } from '../../core/backup.ts';
import { backups } from './schema.ts';
import { guardStoreErrors } from './store-errors.ts';
import type { StoreDatabase } from './ticket-store.ts';

type BackupRow = InferSelectModel<typeof backups>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toRecord(row: BackupRow): BackupRecord {
  return {
    id: row.id,
    type: row.type as BackupType,
    target: row.target,
    deviceId: row.deviceId,
    path: row.path,
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    details: row.details,
    ticketId: row.ticketId,
    createdAt: row.createdAt.toISOString(),
  };
}

export class DrizzleBackupStore implements BackupRepository {
  constructor(private readonly db: StoreDatabase) {}

  insertBackup(record: BackupRecord): Promise<void> {
    return guardStoreErrors(async () => {
      await this.db.insert(backups).values({ ...record, createdAt: new Date(record.createdAt) });
    });
  }

  getBackup(id: string): Promise<BackupRecord | undefined> {
    if (!UUID.test(id)) return Promise.resolve(undefined);
    return guardStoreErrors(async () => {
      const [row] = await this.db.select().from(backups).where(eq(backups.id, id));
      return row ? toRecord(row) : undefined;
    });
  }

  listBackups(filter: { type?: BackupType; target?: string; limit: number }): Promise<BackupRecord[]> {
    return guardStoreErrors(async () => {
      const where = and(
        filter.type ? eq(backups.type, filter.type) : undefined,
        filter.target ? eq(backups.target, filter.target) : undefined,
      );
      const rows = await this.db
        .select()
        .from(backups)
        .where(where)
        .orderBy(desc(backups.createdAt), desc(backups.id))
        .limit(filter.limit);
      return rows.map(toRecord);
    });
  }

  deleteBackup(id: string): Promise<boolean> {
    return guardStoreErrors(
      async () => (await this.db.delete(backups).where(eq(backups.id, id)).returning({ id: backups.id })).length > 0,
    );
  }
}
