// A logger that keeps what it is told, for tests that assert a warning was (or was not) logged.
import type { Logger } from '../../src/core/logger.ts';

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

export function recordingLogger(): Logger & { records: LogRecord[]; messages(level: LogRecord['level']): string[] } {
  const records: LogRecord[] = [];
  const at = (level: LogRecord['level']) => (obj: object | string, msg?: string) => {
    records.push(
      typeof obj === 'string'
        ? { level, msg: obj, fields: {} }
        : { level, msg: msg ?? '', fields: obj as Record<string, unknown> },
    );
  };
  const logger = {
    records,
    messages: (level: LogRecord['level']) => records.filter((r) => r.level === level).map((r) => r.msg),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger as Logger & { records: LogRecord[]; messages(level: LogRecord['level']): string[] };
}
