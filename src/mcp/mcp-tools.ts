// The MCP tool surface: every registry capability (same id, schemas generated from its zod schemas, called
// through the capability gateway exactly like REST dispatch) plus the ticket tools.
import { randomUUID } from 'node:crypto';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { assertRole, type Caller } from '../core/access.ts';
import type { CapabilityGateway } from '../core/capability-gateway.ts';
import { TwisterError, toErrorInfo } from '../core/errors.ts';
import { isServerError, toPublicError } from '../core/public-error.ts';
import { describeTextProblem, findTextProblem } from '../core/text-guard.ts';
import type { Logger } from '../core/logger.ts';
import type { CapabilityDescriptor, CapabilityRegistry } from '../core/registry.ts';
import type { RunbookCatalogue } from '../core/runbooks/runbook-catalogue.ts';
import { runbookTools } from './runbook-tools.ts';
import { ticketTools, type TicketToolDeps } from './ticket-tools.ts';
import {
  forMcp,
  outputSchemaFor,
  toolError,
  toolOutput,
  type ToolCallContext,
  type ToolDefinition,
} from './tool-definition.ts';

export interface McpToolDeps extends TicketToolDeps {
  registry: CapabilityRegistry;
  gateway: CapabilityGateway;
  /** Runbook tools (list, dry run) are offered when given. */
  catalogue?: RunbookCatalogue;
  logger: Logger;
}

/**
 * What the risk level alone does not say: capabilities that reach hosts outside the inventory (web pages, TLS and
 * TCP endpoints, a service's own URL) and those that write although their risk is `read` (a backup writes an
 * archive under the data directory; a screenshot stores an artifact).
 */
const OPEN_WORLD = new Set([
  'monitoring.check_certificate',
  'monitoring.check_reachability',
  'monitoring.check_service_health',
]);
const WRITES = new Set(['backup.create_backup', 'browser.screenshot']);

/** `monitoring.check_service_health` → "Monitoring: check service health". */
export function capabilityTitle(id: string): string {
  const [agent = id, action = ''] = id.split('.');
  const words = action.replaceAll('_', ' ');
  return `${agent.charAt(0).toUpperCase()}${agent.slice(1)}: ${words}`;
}

/** A capability as an MCP tool: its name, title, schemas and annotations (what tools/list shows). */
export function capabilityToolSpec(descriptor: CapabilityDescriptor): Tool {
  const outputSchema = outputSchemaFor(descriptor.outputSchema);
  return {
    name: descriptor.id,
    title: capabilityTitle(descriptor.id),
    description: `${descriptor.description} (risk: ${descriptor.risk}${descriptor.risk === 'destructive' ? '; refused outside a ticket, where a human approves it' : ''})`,
    inputSchema: forMcp(descriptor.inputSchema),
    ...(outputSchema ? { outputSchema } : {}),
    annotations: {
      readOnlyHint: descriptor.risk === 'read' && !WRITES.has(descriptor.id),
      destructiveHint: descriptor.risk === 'destructive',
      idempotentHint: descriptor.idempotent,
      openWorldHint: descriptor.id.startsWith('browser.') || OPEN_WORLD.has(descriptor.id),
    },
  };
}

function capabilityTool(deps: McpToolDeps, descriptor: CapabilityDescriptor): ToolDefinition {
  return {
    tool: capabilityToolSpec(descriptor),
    call: async (caller, args) => {
      const result = await deps.gateway.call(caller, descriptor.id, args, 'mcp');
      if (result.ok) return toolOutput(result.output);
      // Thrown so the one catch below decides what the client may see of it.
      throw new TwisterError(result.error.code, result.error.message, result.error.details);
    },
  };
}

export class McpTools {
  private readonly byName = new Map<string, ToolDefinition>();

  constructor(private readonly deps: McpToolDeps) {
    for (const definition of [
      ...deps.registry.list().map((d) => capabilityTool(deps, d)),
      ...ticketTools(deps),
      ...(deps.catalogue ? runbookTools(deps.catalogue) : []),
    ]) {
      if (this.byName.has(definition.tool.name)) throw new Error(`two MCP tools are named ${definition.tool.name}`);
      this.byName.set(definition.tool.name, definition);
    }
  }

  list() {
    return [...this.byName.values()].map((d) => d.tool);
  }

  get size(): number {
    return this.byName.size;
  }

  /**
   * Every refusal and failure is a tool error with a catalogue code. A server-side failure (5xx class) shows only
   * its code, a fixed sentence and a request id; the real error is logged under that id.
   */
  async call(
    caller: Caller,
    name: string,
    args: Record<string, unknown> | undefined,
    context?: ToolCallContext,
  ): Promise<CallToolResult> {
    const definition = this.byName.get(name);
    if (!definition)
      return toolError({ code: 'CAPABILITY_NOT_FOUND', message: `no tool named ${name}; tools/list lists them` });
    // The edge of MCP, like the HTTP text guard: bad text is refused before roles, risk or the call see it.
    const text = findTextProblem(args ?? {});
    if (text)
      return toolError({
        code: 'VALIDATION_FAILED',
        message: `invalid input for ${name}: ${describeTextProblem(text)}`,
        retryable: false,
      });
    try {
      if (definition.role) assertRole(caller, definition.role, `calling ${name}`);
      return await definition.call(caller, args ?? {}, context);
    } catch (error) {
      const info = toErrorInfo(error, 'INTERNAL');
      if (!isServerError(info.code)) return toolError(info);
      const requestId = randomUUID();
      this.deps.logger.error(
        { err: error, code: info.code, tool: name, caller: caller.name, requestId },
        'MCP tool failed',
      );
      return toolError(toPublicError(info, requestId));
    }
  }
}
