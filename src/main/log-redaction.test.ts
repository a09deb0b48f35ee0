import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { redactingLogHooks } from './log-redaction.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ hooks: redactingLogHooks }, stream), lines };
}

describe('log redaction', () => {
  it('keeps passwords, tokens and connection-string secrets out of messages, fields and errors', () => {
    const { logger, lines } = capture();
    logger.info('connecting to postgresql://app:hunter2hunter2@db.internal:5432/app');
    logger.warn(
      { detail: 'Authorization: Bearer abcdef0123456789abcdef0123456789', nested: { note: 'password=SuperSecret123' } },
      'failed',
    );
    logger.error(
      { err: new Error('connect to postgresql://app:hunter2hunter2@db.internal/app refused') },
      'store down',
    );
    const text = lines.join('');
    expect(text).not.toMatch(/hunter2hunter2|abcdef0123456789abcdef0123456789|SuperSecret123/);
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2]!).err.message).toMatch(/refused/);
  });
});
