// The one way a caller outside a ticket reaches a capability, shared by REST dispatch and MCP tools: existence,
// risk (destructive is refused: only a ticket can carry an approval), role, the registry call, the audit row.
import { assertRole, type Caller } from './access.ts';
import { TwisterError, isTwisterError } from './errors.ts';
import { redactValue } from './redaction.ts';
import type { CapabilityRegistry, InvocationResult } from './registry.ts';
import type { AuditEntry } from './ticket-repository.ts';

/** The surface a call came through, recorded in its audit row. */
export type Surface = 'rest' | 'mcp';

export interface CapabilityGatewayDeps {
  registry: CapabilityRegistry;
  audit: (entries: AuditEntry[]) => Promise<void>;
}

export class CapabilityGateway {
  constructor(private readonly deps: CapabilityGatewayDeps) {}

  /**
   * Refusals (unknown capability, approval required, role) throw a TwisterError; a call that ran and failed
   * returns `{ ok: false }` like any registry result. An idempotency key reaches the capability as `ctx.idempotencyKey`.
   */
  async call(
    caller: Caller,
    id: string,
    input: unknown,
    via: Surface,
    options: { idempotencyKey?: string } = {},
  ): Promise<InvocationResult> {
    const { registry } = this.deps;
    if (!registry.has(id))
      throw new TwisterError('CAPABILITY_NOT_FOUND', `no capability named ${id}; GET /api/v1/agents lists them`);
    const risk = registry.riskOf(id, input)!;
    try {
      if (risk === 'destructive') {
        throw new TwisterError(
          'APPROVAL_REQUIRED',
          `${id} is destructive: submit a ticket so a human can approve the exact step`,
        );
      }
      assertRole(caller, 'operator', `calling ${id}`);
    } catch (error) {
      if (isTwisterError(error))
        await this.record(caller, 'capability.refused', { capability: id, risk, via, error: error.code });
      throw error;
    }
    const result = await registry.invoke(id, input, {
      actor: caller.name,
      ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
    });
    // Reads that succeed are counted in metrics only; everything else leaves a row of its own.
    if (risk !== 'read' || !result.ok) {
      await this.record(caller, 'capability.invoked', {
        capability: id,
        risk,
        via,
        ok: result.ok,
        ...(result.ok ? {} : { error: result.error.code }),
        durationMs: Math.round(result.durationMs),
      });
    }
    // Command output can print secrets (env dumps, config files): callers get it redacted like everything else.
    return result.ok
      ? { ...result, output: redactValue(result.output) }
      : { ...result, error: redactValue(result.error) };
  }

  private record(caller: Caller, action: string, details: Record<string, unknown>): Promise<void> {
    return this.deps.audit([{ ticketId: null, actor: caller.name, action, details }]);
  }
}
