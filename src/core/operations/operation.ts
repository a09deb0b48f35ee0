// An operation that more than one interface offers (submit a ticket, show one, approve a step, dry-run a runbook...):
// one plain object with its name, what it does, the least role that may call it, a zod input and output schema and
// `run`. REST routes and MCP tools are generated from it, so the fields, limits, error messages and answer cannot
// drift apart.
import type { z } from 'zod';
import type { Caller, Role } from '../access.ts';

/** What the interface a call came through adds to it. */
export interface OperationContext {
  /** The door, recorded with what the call creates (a ticket's or a comment's source). */
  source: 'api' | 'mcp';
  /** Sent outside the body where the interface has a place for it (REST: the Idempotency-Key header). */
  idempotencyKey?: string;
}

export interface Operation<I extends z.ZodObject = z.ZodObject, O extends z.ZodType = z.ZodType, S = unknown> {
  /** `<area>.<verb>` (`ticket.show`, `runbook.dry_run`); the MCP tool name. */
  name: string;
  /** A few words (MCP `title`). */
  title: string;
  description: string;
  /**
   * The least role that may call it, checked before `run`. Finer rules (a viewer may comment on their own ticket,
   * an approver is not the requester) are the service's, so every interface applies them the same.
   */
  role: Role;
  /** Field names as REST writes them (camelCase); MCP offers the same fields in snake_case. */
  input: I;
  output: O;
  run(service: S, caller: Caller, input: z.output<I>, context: OperationContext): Promise<z.input<O>>;
}

/** Only gives types: the operation is the object you pass. */
export function defineOperation<I extends z.ZodObject, O extends z.ZodType, S>(
  operation: Operation<I, O, S>,
): Operation<I, O, S> {
  return operation;
}
