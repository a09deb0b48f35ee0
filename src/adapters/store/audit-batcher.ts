// Audit rows written outside a ticket's own writes (every command run writes one, from whichever ticket ran it)
// share statements: rows that arrive while an insert is in flight go together in the next one, so ten tickets
// running commands cost one insert at a time instead of ten. Nothing waits for company: the first row of a quiet
// moment is inserted at once. Each caller's promise settles when its own rows are committed.
import type { auditValues } from './rows.ts';
import { auditEvents } from './schema.ts';
import { guardStoreErrors } from './store-errors.ts';
import type { StoreDatabase } from './ticket-store.ts';

type AuditValues = ReturnType<typeof auditValues>;

interface Waiting {
  rows: AuditValues[];
  resolve(): void;
  reject(error: unknown): void;
}

export class AuditBatcher {
  private readonly queue: Waiting[] = [];
  private flushing = false;

  constructor(private readonly db: StoreDatabase) {}

  append(rows: AuditValues[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private insert(rows: AuditValues[]): Promise<void> {
    return guardStoreErrors(async () => {
      await this.db.insert(auditEvents).values(rows);
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.queue.length);
        try {
          await this.insert(batch.flatMap((b) => b.rows));
          for (const b of batch) b.resolve();
        } catch (error) {
          // One caller's bad row must not fail the others: alone, each one gets its own answer.
          if (batch.length === 1) batch[0]!.reject(error);
          else for (const b of batch) await this.insert(b.rows).then(b.resolve, b.reject);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
