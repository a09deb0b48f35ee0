import { execFileSync } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import { buildKillCommand, buildRemoteCommand, quoteArg, readPreamble } from './remote-command.ts';

describe('quoteArg', () => {
  it.each(["it's", "''", '$(id)', '`id`', 'a b', 'a\nb', '\\', '"', '*', '; rm -rf /', ''])(
    'makes %j one literal word for a POSIX shell',
    (arg) => {
      expect(execFileSync('/bin/sh', ['-c', `printf '%s' ${quoteArg(arg)}`], { encoding: 'utf8' })).toBe(arg);
    },
  );
});

describe('buildRemoteCommand', () => {
  it('prints the process group, then execs the quoted argv with a fixed environment', () => {
    const command = buildRemoteCommand(['systemctl', 'restart', 'nginx']);
    expect(command).toMatch(
      /echo twisterlab-pgid=\$g; exec env -i 'PATH=[^']+' 'LANG=C\.UTF-8' 'LC_ALL=C\.UTF-8' 'systemctl' 'restart' 'nginx'$/,
    );
    const output = execFileSync('/bin/sh', ['-c', buildRemoteCommand(['echo', 'x'])], { encoding: 'utf8' });
    expect(output).toMatch(/^twisterlab-pgid=\d+\nx\n$/);
  });

  it.each([[['-oProxyCommand=x']], [['A=B', 'sh']], [['']], [[]], [['echo', 'a\0b']]])(
    'refuses %j, which env would misread or which cannot be sent',
    (argv) => {
      expect(() => buildRemoteCommand(argv as string[])).toThrow(
        expect.objectContaining({ code: 'COMMAND_NOT_ALLOWED' }),
      );
    },
  );

  it('builds a kill for a numeric group only', () => {
    expect(buildKillCommand(1234)).toBe('kill -9 -1234 2>/dev/null || kill -9 1234 2>/dev/null; true');
    expect(() => buildKillCommand(1)).toThrow();
    expect(() => buildKillCommand(Number.NaN)).toThrow();
  });
});

describe('readPreamble', () => {
  it('reads the group id and hands back the bytes after its line', () => {
    expect(readPreamble(Buffer.from('twisterlab-pgid=42\nhello'))).toEqual({
      state: 'found',
      pgid: 42,
      rest: Buffer.from('hello'),
    });
    expect(readPreamble(Buffer.from('twisterlab-pg'))).toEqual({ state: 'pending' });
    expect(readPreamble(Buffer.from('Welcome!\n'))).toEqual({ state: 'absent' });
  });
});
