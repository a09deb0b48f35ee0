// The pieces every configuration section is made of: a field is a zod schema with the environment variable it
// is read from next to it; a section is a zod object of fields (or of sections). Reading a section walks it,
// takes each variable (or, for a secret, the file its `*_FILE` twin names), parses the whole at once and names
// the variable of the first problem.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TwisterError } from '../core/errors.ts';

export interface FieldMeta {
  /** The environment variable. */
  env: string;
  /** A secret may also come from a file: `<env>_FILE` names it (Docker and Kubernetes secrets). */
  secret: boolean;
}

const fields = new WeakMap<z.ZodType, FieldMeta>();

/** A field read from `variable`; the schema receives the variable's text, or undefined when it is unset or empty. */
export function v<T extends z.ZodType>(variable: string, schema: T): T {
  fields.set(schema, { env: variable, secret: false });
  return schema;
}

/** A secret field: from `variable`, or from the file `<variable>_FILE` names (never both). */
export function secret<T extends z.ZodType>(variable: string, schema: T): T {
  fields.set(schema, { env: variable, secret: true });
  return schema;
}

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A text field parsed by `parse`, whose Error message becomes the problem reported for the variable. */
export function parsedBy<T>(parse: (text: string | undefined) => T) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });
}

export function configError(variable: string, problem: string): TwisterError {
  return new TwisterError('CONFIG_INVALID', `${variable}: ${problem}`, { variable });
}

type Walked = { path: string[]; meta: FieldMeta };

/** Every field of a section with its path, through nested sections and sections with a transform. */
function walk(schema: z.ZodType, path: string[] = []): Walked[] {
  const meta = fields.get(schema);
  if (meta) return [{ path, meta }];
  if (schema instanceof z.ZodPipe) return walk(schema.in as z.ZodType, path);
  if (schema instanceof z.ZodObject)
    return Object.entries(schema.shape).flatMap(([key, field]) => walk(field as z.ZodType, [...path, key]));
  return [];
}

/** Every variable a section reads, with the `*_FILE` twin of each secret. */
export function variablesOf(schema: z.ZodType): string[] {
  return walk(schema).flatMap(({ meta }) => (meta.secret ? [meta.env, `${meta.env}_FILE`] : [meta.env]));
}

/** A variable's value; a secret's from its file when `<name>_FILE` is set (trailing newlines dropped). */
export function readVariable(env: NodeJS.ProcessEnv, name: string, isSecret: boolean): string | undefined {
  const value = env[name] === '' ? undefined : env[name];
  const file = isSecret && env[`${name}_FILE`] ? env[`${name}_FILE`] : undefined;
  if (file === undefined) return value;
  if (value !== undefined) throw configError(`${name}_FILE`, `${name} is set too: set one of them`);
  try {
    return readFileSync(file, 'utf8').replace(/[\r\n]+$/, '');
  } catch (error) {
    throw configError(
      `${name}_FILE`,
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** Reads and parses a section from the environment; throws CONFIG_INVALID naming the variable of the first problem. */
export function readSection<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const walked = walk(schema);
  const input: Record<string, unknown> = {};
  for (const { path, meta } of walked) {
    let node = input;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path.at(-1)!] = readVariable(env, meta.env, meta.secret);
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = issue.path.join('.');
  const field =
    walked.find((w) => w.path.join('.') === at) ?? walked.find((w) => at.startsWith(`${w.path.join('.')}.`));
  throw configError(field?.meta.env ?? (at || 'environment'), issue.message);
}
