// Ticket operations (core/operations) as MCP tools: the operation's own zod input schema with its fields in
// snake_case like every tool, parsed once here (the same limits and messages as REST), and the answer checked
// against the operation's output schema before it goes out, as the registry checks a capability's.
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { assertRole, type Caller } from '../core/access.ts';
import { TwisterError } from '../core/errors.ts';
import type { Operation, OperationContext } from '../core/operations/operation.ts';
import { describeIssues, parseOrThrow } from '../core/validation.ts';
import { toolOutput, zodToolSchema, type ToolCallContext, type ToolDefinition } from './tool-definition.ts';

type Shape = Record<string, z.ZodType>;
type Fields = Record<string, unknown>;

/** `ticketId` → `ticket_id`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** An object schema with its fields (and those of nested objects) renamed to snake_case, and the way back. */
interface Renamed {
  schema: z.ZodObject;
  back: (value: Fields) => Fields;
}

function renamed(object: z.ZodObject): Renamed {
  const shape: Shape = {};
  const backs = new Map<string, { name: string; back?: Renamed['back'] }>();
  for (const [name, field] of Object.entries(object.shape as Shape)) {
    const nested =
      field instanceof z.ZodOptional && field.unwrap() instanceof z.ZodObject
        ? renamed(field.unwrap() as z.ZodObject)
        : undefined;
    const description =
      field.description ?? (field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType).description : undefined);
    shape[snakeCase(name)] = nested ? withDescription(nested.schema.optional(), description) : field;
    backs.set(snakeCase(name), { name, ...(nested ? { back: nested.back } : {}) });
  }
  const back = (value: Fields): Fields =>
    Object.fromEntries(
      Object.entries(value).map(([key, v]) => {
        const to = backs.get(key)!;
        return [to.name, to.back && v !== undefined ? to.back(v as Fields) : v];
      }),
    );
  return { schema: z.strictObject(shape), back };
}

function withDescription<T extends z.ZodType>(schema: T, description: string | undefined): T {
  return description ? schema.describe(description) : schema;
}

/** An MCP-only addition to an operation: more input fields, more output fields, and the call around `run`. */
export interface ToolExtension<O> {
  input: Shape;
  output: Shape;
  call(
    run: (context?: Partial<OperationContext>) => Promise<O>,
    extra: Fields,
    call?: ToolCallContext,
  ): Promise<O & Fields>;
}

export interface OperationToolOptions<O> {
  annotations: ToolAnnotations;
  extension?: ToolExtension<O>;
}

/** The answer as the output schema reads it, or INTERNAL (logged, hidden from the client) when the operation broke its promise. */
export function checkedOutput<O extends z.ZodType>(name: string, schema: O, value: unknown): z.output<O> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new TwisterError('INTERNAL', `${name} answered outside its output schema: ${describeIssues(result.error)}`);
}

export function operationTool<I extends z.ZodObject, O extends z.ZodType, S>(
  operation: Operation<I, O, S>,
  service: S,
  options: OperationToolOptions<z.output<O>>,
): ToolDefinition {
  const { schema, back } = renamed(operation.input);
  const extension = options.extension;
  const input = extension ? schema.extend(extension.input) : schema;
  const output =
    extension && operation.output instanceof z.ZodObject ? operation.output.extend(extension.output) : operation.output;
  return {
    // The role is checked after the input, as Fastify validates a request before its handler runs: the same call
    // is refused for the same reason over either surface.
    tool: {
      name: operation.name,
      title: operation.title,
      description: operation.description,
      inputSchema: zodToolSchema(input, 'input'),
      outputSchema: zodToolSchema(output, 'output'),
      annotations: options.annotations,
    },
    call: async (caller: Caller, args, call) => {
      const parsed = parseOrThrow(input, args, `input for ${operation.name}`) as Fields;
      assertRole(caller, operation.role, `calling ${operation.name}`);
      const own = Object.fromEntries(Object.entries(parsed).filter(([key]) => !extension || !(key in extension.input)));
      const run = async (context: Partial<OperationContext> = {}) =>
        checkedOutput(
          operation.name,
          operation.output,
          await operation.run(service, caller, back(own) as z.output<I>, { source: 'mcp', ...context }),
        );
      if (!extension) return toolOutput(await run());
      const extra = Object.fromEntries(Object.entries(parsed).filter(([key]) => key in extension.input));
      return toolOutput(checkedOutput(operation.name, output, await extension.call(run, extra, call)));
    },
  };
}

export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };
export const WRITES: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};
