// Verification conditions: a dot path into a step's output, an operator and a value.
// A `*` segment means every element of an array must satisfy the condition.
import type { Condition } from './ticket.ts';

export interface ConditionOutcome {
  condition: Condition;
  held: boolean;
  actual: unknown;
}

function select(value: unknown, segments: string[]): unknown[] {
  if (segments.length === 0) return [value];
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '*') {
    if (!Array.isArray(value) || value.length === 0) return [undefined];
    return value.flatMap((item) => select(item, rest));
  }
  if (value === null || typeof value !== 'object') return [undefined];
  return select((value as Record<string, unknown>)[head], rest);
}

function compare(actual: unknown, op: Condition['op'], expected: Condition['value']): boolean {
  switch (op) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    default: {
      if (typeof actual !== 'number' || typeof expected !== 'number' || Number.isNaN(actual)) return false;
      if (op === 'lt') return actual < expected;
      if (op === 'lte') return actual <= expected;
      if (op === 'gt') return actual > expected;
      return actual >= expected;
    }
  }
}

export function evaluateCondition(output: unknown, condition: Condition): ConditionOutcome {
  const values = select(output, condition.path.split('.'));
  const held = values.every((v) => compare(v, condition.op, condition.value));
  return { condition, held, actual: values.length === 1 ? values[0] : values };
}

export function evaluateConditions(output: unknown, conditions: readonly Condition[]): ConditionOutcome[] {
  return conditions.map((c) => evaluateCondition(output, c));
}

export function describeCondition(outcome: ConditionOutcome): string {
  const { condition, actual } = outcome;
  return `${condition.path} ${condition.op} ${JSON.stringify(condition.value)} (was ${JSON.stringify(actual)})`;
}
