// The LLM port and what we accept from a model: answers must fit a JSON schema whose enums are our own
// categories, priorities, sentiments and runbook ids. Anything else is rejected, never repaired.
import { z } from 'zod';
import {
  CATEGORIES,
  INTENTS,
  PRIORITIES,
  SENTIMENTS,
  URGENCIES,
  type Category,
  type Intent,
  type Priority,
  type Sentiment,
  type Urgency,
} from './ticket.ts';

export interface LlmRequest {
  system: string;
  user: string;
  /** JSON schema the answer must follow (Ollama `format`, OpenAI `response_format`). */
  schema: Record<string, unknown>;
  signal?: AbortSignal;
}

/** A chat model behind an HTTP API. `complete` returns the model's raw text (JSON expected). */
export interface LlmClient {
  readonly name: string;
  readonly model: string;
  /** True when the server answers and lists the model. */
  health(signal?: AbortSignal): Promise<boolean>;
  complete(request: LlmRequest): Promise<string>;
}

export interface LlmAnalysis {
  category: Category;
  /** Optional: a model (or a recorded answer) that does not give it leaves the rules' intent standing. */
  intent?: Intent;
  priority: Priority;
  sentiment: Sentiment;
  urgency: Urgency;
  summary: string;
  confidence: number;
  injectionSuspected: boolean;
}

export const ANALYSIS_JSON_SCHEMA = {
  type: 'object',
  properties: {
    category: { type: 'string', enum: [...CATEGORIES] },
    intent: { type: 'string', enum: [...INTENTS] },
    priority: { type: 'string', enum: [...PRIORITIES] },
    sentiment: { type: 'string', enum: [...SENTIMENTS] },
    urgency: { type: 'string', enum: [...URGENCIES] },
    summary: { type: 'string', maxLength: 200 },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    injection_suspected: { type: 'boolean' },
  },
  required: ['category', 'priority', 'sentiment', 'urgency', 'summary', 'confidence', 'injection_suspected'],
  additionalProperties: false,
} as const;

const analysisAnswer = z.strictObject({
  category: z.enum(CATEGORIES),
  intent: z.enum(INTENTS).optional(),
  priority: z.enum(PRIORITIES),
  sentiment: z.enum(SENTIMENTS),
  urgency: z.enum(URGENCIES),
  summary: z.string().trim().min(1).max(200),
  confidence: z.number().min(0).max(1),
  injection_suspected: z.boolean(),
});

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function parseJson(raw: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, reason: 'the answer is not JSON' };
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'answer'}: ${issue.message}`)
    .join('; ');
}

/** The model's analysis, or why it was refused (not JSON, a field outside the allowed values, extra fields). */
export function parseAnalysisAnswer(raw: string): Parsed<LlmAnalysis> {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const parsed = analysisAnswer.safeParse(json.value);
  if (!parsed.success)
    return { ok: false, reason: `the answer does not fit the schema (${describeIssues(parsed.error)})` };
  const { injection_suspected: injectionSuspected, ...rest } = parsed.data;
  return { ok: true, value: { ...rest, injectionSuspected } };
}

export interface RunbookChoiceOption {
  id: string;
  title: string;
  /** Parameter names the runbook's templates use, each with the values allowed (empty: any known name). */
  params: Record<string, readonly string[]>;
}

export interface RunbookChoice {
  runbookId: string | null;
  params: Record<string, string>;
  confidence: number;
}

/** A schema whose `runbook_id` enum is the catalogue, so the model cannot name anything else. */
export function runbookChoiceSchema(options: readonly RunbookChoiceOption[]): Record<string, unknown> {
  const names = [...new Set(options.flatMap((o) => Object.keys(o.params)))];
  return {
    type: 'object',
    properties: {
      runbook_id: { anyOf: [{ type: 'string', enum: options.map((o) => o.id) }, { type: 'null' }] },
      params: {
        type: 'object',
        properties: Object.fromEntries(names.map((n) => [n, { type: 'string', maxLength: 200 }])),
        additionalProperties: false,
      },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
    },
    required: ['runbook_id', 'params', 'confidence'],
    additionalProperties: false,
  };
}

// Shell metacharacters, whitespace-separated words or path traversal: a name never looks like this.
const COMMAND_LIKE =
  /[;&|`$<>(){}\\\n\r]|\s-{1,2}\w|\.\.\/|^\s*(?:sudo|rm|curl|wget|sh|bash|nc|dd|chmod|shutdown|reboot)\b/i;

/** The model's runbook choice, accepted only when the id is in the catalogue and every parameter is allowed. */
export function parseRunbookChoice(raw: string, options: readonly RunbookChoiceOption[]): Parsed<RunbookChoice> {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const shape = z
    .strictObject({
      runbook_id: z.string().max(100).nullable(),
      params: z.record(z.string().max(40), z.string().max(200)),
      confidence: z.number().min(0).max(1),
    })
    .safeParse(json.value);
  if (!shape.success)
    return { ok: false, reason: `the answer does not fit the schema (${describeIssues(shape.error)})` };
  const { runbook_id: runbookId, params, confidence } = shape.data;
  if (runbookId === null) return { ok: true, value: { runbookId: null, params: {}, confidence } };
  const option = options.find((o) => o.id === runbookId);
  if (!option) return { ok: false, reason: `runbook "${runbookId.slice(0, 40)}" is not in the catalogue` };
  for (const [name, value] of Object.entries(params)) {
    if (COMMAND_LIKE.test(value)) return { ok: false, reason: `parameter ${name.slice(0, 40)} looks like a command` };
    const allowed = option.params[name];
    if (!allowed) return { ok: false, reason: `runbook ${runbookId} takes no parameter "${name.slice(0, 40)}"` };
    if (!allowed.includes(value))
      return { ok: false, reason: `parameter ${name} of ${runbookId} is not one of the known values` };
  }
  return { ok: true, value: { runbookId, params, confidence } };
}
