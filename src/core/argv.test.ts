import { describe, it, expect } from 'vitest';
import { splitCommand, findUnsafeCharacter, MAX_ARGS, MAX_COMMAND_LENGTH } from './argv.ts';
import { TwisterError } from './errors.ts';

function refusal(command: string): TwisterError {
  try {
    splitCommand(command);
  } catch (error) {
    if (error instanceof TwisterError) return error;
    throw error;
  }
  throw new Error(`splitCommand accepted ${JSON.stringify(command)}`);
}

describe('splitCommand', () => {
  it('splits plain words on spaces and tabs, ignoring runs and edges', () => {
    expect(splitCommand('  df \t -h   /var  ')).toEqual(['df', '-h', '/var']);
  });

  it('keeps quoted words together and drops the quotes', () => {
    expect(splitCommand(`grep "two words" 'x y' end`)).toEqual(['grep', 'two words', 'x y', 'end']);
  });

  it('treats the other quote as literal inside a quoted word', () => {
    expect(splitCommand(`echo "it's" 'say "hi"'`)).toEqual(['echo', "it's", 'say "hi"']);
  });

  it('joins adjacent quoted and plain pieces into one word and keeps empty quoted words', () => {
    expect(splitCommand(`a"b c"d '' x`)).toEqual(['ab cd', '', 'x']);
  });

  it('accepts ordinary punctuation found in options and paths', () => {
    expect(splitCommand('ls --color=never -l /var/log/app-1_2.log user@host:%,+^')).toEqual([
      'ls',
      '--color=never',
      '-l',
      '/var/log/app-1_2.log',
      'user@host:%,+^',
    ]);
  });

  it.each([';', '&', '|', '<', '>', '$', '`', '(', ')', '{', '}', '*', '?', '[', ']', '~', '!', '#'])(
    'refuses the shell metacharacter %s anywhere, even inside quotes',
    (character) => {
      for (const command of [`ls ${character}`, `ls a${character}b`, `ls "a${character}b"`, `ls 'a${character}b'`]) {
        const error = refusal(command);
        expect(error.code).toBe('COMMAND_NOT_ALLOWED');
        expect(error.message).toContain(`'${character}'`);
      }
    },
  );

  it('refuses a backslash and names it', () => {
    expect(refusal('ls a\\ b').message).toContain('backslash');
  });

  it.each([
    ['newline', 'ls\nid', 'newline'],
    ['carriage return', 'ls\rid', 'carriage return'],
    ['NUL', 'ls\0id', 'NUL'],
    ['escape', 'ls \u001b[31m', 'U+001B'],
    ['DEL', 'ls \u007f', 'U+007F'],
    ['right-to-left override', 'ls \u202e', 'U+202E'],
    ['zero-width space', 'l\u200bs', 'U+200B'],
    ['line separator', 'ls\u2028id', 'U+2028'],
    ['no-break space', 'ls\u00a0-l', 'U+00A0'],
  ])('refuses a %s', (_name, command, named) => {
    const error = refusal(command);
    expect(error.code).toBe('COMMAND_NOT_ALLOWED');
    expect(error.message).toContain(named);
  });

  it('refuses unbalanced quotes', () => {
    expect(refusal(`echo "abc`).message).toContain('unbalanced " quote');
    expect(refusal(`echo 'abc`).message).toContain("unbalanced ' quote");
  });

  it('refuses an empty or blank command', () => {
    expect(refusal('').message).toBe('command is empty');
    expect(refusal(' \t ').message).toBe('command is empty');
  });

  it('refuses a command longer than the limit and accepts one at the limit', () => {
    expect(refusal('a'.repeat(MAX_COMMAND_LENGTH + 1)).message).toContain(`${MAX_COMMAND_LENGTH} characters`);
    expect(splitCommand('a'.repeat(MAX_COMMAND_LENGTH))).toHaveLength(1);
  });

  it('refuses more than the maximum number of words and accepts exactly the maximum', () => {
    expect(splitCommand(Array(MAX_ARGS).fill('a').join(' '))).toHaveLength(MAX_ARGS);
    expect(
      refusal(
        Array(MAX_ARGS + 1)
          .fill('a')
          .join(' '),
      ).message,
    ).toContain(`at most ${MAX_ARGS}`);
  });
});

describe('findUnsafeCharacter', () => {
  it('reports the position of the first unsafe character and nothing for clean text', () => {
    expect(findUnsafeCharacter('abc;d')).toMatchObject({ character: ';', index: 3 });
    expect(findUnsafeCharacter('/var/log/x.log')).toBeUndefined();
  });
});
