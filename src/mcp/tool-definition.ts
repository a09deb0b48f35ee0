// What an MCP tool is here: a name, JSON schemas generated from zod, the least role that may call it, and a
// call that answers with structured output or an MCP tool error carrying the catalogue's error code.
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Caller, Role } from '../core/access.ts';
import type { ErrorInfo } from '../core/errors.ts';

export interface ToolDefinition {
  tool: Tool;
  /** Checked before the call; capability tools leave it to the gateway, which also audits the refusal. */
  role?: Role;
  call(caller: Caller, args: Record<string, unknown>, context?: ToolCallContext): Promise<CallToolResult>;
}

/** What a long call may use of its request: progress notifications (only when the client sent a token) and cancellation. */
export interface ToolCallContext {
  progress?: (progress: number, message: string) => Promise<void>;
  signal?: AbortSignal;
}

type JsonObject = Record<string, unknown>;

/**
 * The `$schema` key is dropped: clients compile these with a draft-07 validator, and zod marks its output
 * as draft 2020-12. Nothing else differs for the schemas used here.
 */
export function forMcp(schema: unknown): Tool['inputSchema'] {
  const { $schema: _ignored, ...rest } = schema as JsonObject;
  return { ...rest, type: 'object' } as Tool['inputSchema'];
}

/** MCP output schemas must describe an object; anything else is left out (the text content still carries it). */
export function outputSchemaFor(schema: unknown): Tool['outputSchema'] | undefined {
  return (schema as JsonObject).type === 'object' ? forMcp(schema) : undefined;
}

/**
 * The schema's metadata without the `id` that names it as an OpenAPI component (`Ticket`, `RunbookSummary`...):
 * with an id, zod moves a schema into `$defs` and the tool's root would be a bare `$ref`; a tool schema is one
 * self-contained object.
 */
const withoutIds = {
  get(schema: z.core.$ZodType) {
    const meta = z.globalRegistry.get(schema);
    if (!meta || meta.id === undefined) return meta;
    const { id: _id, ...rest } = meta;
    return rest;
  },
} as unknown as z.core.$ZodRegistry<z.core.JSONSchemaMeta>;

export function zodToolSchema(schema: z.ZodType, io: 'input' | 'output'): Tool['inputSchema'] {
  return forMcp(z.toJSONSchema(schema, { io, unrepresentable: 'any', metadata: withoutIds }));
}

export function toolOutput(output: unknown): CallToolResult {
  const structured = output !== null && typeof output === 'object' && !Array.isArray(output);
  return {
    content: [{ type: 'text', text: JSON.stringify(output) }],
    ...(structured ? { structuredContent: output as JsonObject } : {}),
  };
}

/** The same `{ error: { code, message } }` envelope as REST, as an MCP tool error the model can read. */
export function toolError(
  error: Pick<ErrorInfo, 'code' | 'message'> & Partial<ErrorInfo> & { requestId?: string },
): CallToolResult {
  const body = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.retryable !== undefined ? { retryable: error.retryable } : {}),
      ...(error.details ? { details: error.details } : {}),
      ...(error.requestId ? { requestId: error.requestId } : {}),
    },
  };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] };
}
