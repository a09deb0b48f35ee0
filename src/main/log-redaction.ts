// Keeps secrets out of log lines: every string argument, every string inside a logged object, and the message
// and stack of logged errors go through the same redaction as prompts and API responses.
import type pino from 'pino';
import { redactField, redactSecrets } from '../core/redaction.ts';

function redactError(error: Error): Record<string, unknown> {
  return {
    type: error.name,
    message: redactSecrets(error.message),
    ...(error.stack ? { stack: redactSecrets(error.stack) } : {}),
    ...('code' in error ? { code: (error as { code: unknown }).code } : {}),
  };
}

export function redactLogArgument(argument: unknown): unknown {
  if (typeof argument === 'string') return redactSecrets(argument);
  if (argument instanceof Error) return redactError(argument);
  if (argument !== null && typeof argument === 'object' && Object.getPrototypeOf(argument) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(argument).map(([key, value]) => [
        key,
        value instanceof Error ? redactError(value) : redactField(key, value),
      ]),
    );
  }
  return argument;
}

export const redactingLogHooks: pino.LoggerOptions['hooks'] = {
  logMethod(args, method) {
    return method.apply(this, args.map(redactLogArgument) as Parameters<pino.LogFn>);
  },
};
