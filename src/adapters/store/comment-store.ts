// Comments on a ticket: the comment and its `ticket.commented` audit row in one transaction, redacted first;
// a comment whose external id (a Message-ID, a helpdesk article id) is known already adds nothing.
import { asc, eq } from 'drizzle-orm';
import { redactAuditEntries, redactComment } from '../../core/secrets/stored-records.ts';
import type { AuditEntry, Comment, NewComment } from '../../core/ticket-repository.ts';
import { auditValues, toComment } from './rows.ts';
import { auditEvents, comments } from './schema.ts';
import type { StoreDatabase } from './ticket-store.ts';

export async function addComment(db: StoreDatabase, ticketId: string, given: NewComment): Promise<Comment | null> {
  const comment = redactComment(given);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(comments)
      .values({
        ticketId,
        author: comment.author,
        body: comment.body,
        source: comment.source,
        externalId: comment.externalId ?? null,
      })
      .onConflictDoNothing({ target: [comments.ticketId, comments.externalId] })
      .returning();
    if (!row) return null;
    const audit: AuditEntry[] = [
      {
        ticketId,
        actor: comment.author,
        action: 'ticket.commented',
        details: { commentId: row.id, source: comment.source },
      },
      ...(comment.audit ?? []),
    ];
    await tx.insert(auditEvents).values(redactAuditEntries(audit).map(auditValues));
    return toComment(row);
  });
}

export async function listComments(db: StoreDatabase, ticketId: string): Promise<Comment[]> {
  const rows = await db.select().from(comments).where(eq(comments.ticketId, ticketId)).orderBy(asc(comments.id));
  return rows.map(toComment);
}
