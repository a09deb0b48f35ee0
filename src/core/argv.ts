// Splits a command line into an argv without a shell. Anything a shell would interpret is refused, not
// escaped: the result must mean the same thing whether it is spawned directly or quoted for a remote shell.
import { TwisterError } from './errors.ts';

export const MAX_COMMAND_LENGTH = 4096;
export const MAX_ARGS = 64;

const SHELL_METACHARACTERS = new Set([
  ';',
  '&',
  '|',
  '<',
  '>',
  '$',
  '`',
  '(',
  ')',
  '{',
  '}',
  '*',
  '?',
  '[',
  ']',
  '~',
  '!',
  '#',
  '\\',
]);

// Control characters (C0, DEL, C1), invisible format characters (zero-width, bidi overrides) and
// line/paragraph separators: they either mean something to a shell or hide what a command really says.
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const NON_ASCII_SPACE = /[^\P{Zs} ]/u;

export interface UnsafeCharacter {
  character: string;
  index: number;
  reason: string;
}

function describeCodePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function classify(character: string): string | undefined {
  if (SHELL_METACHARACTERS.has(character)) {
    return character === '\\' ? 'a backslash (escapes are not supported)' : `'${character}' (shell metacharacter)`;
  }
  if (character === '\n') return 'a newline';
  if (character === '\r') return 'a carriage return';
  if (character === '\0') return 'a NUL byte';
  if (character === '\t') return undefined;
  if (INVISIBLE_OR_CONTROL.test(character)) return `control or invisible character ${describeCodePoint(character)}`;
  if (NON_ASCII_SPACE.test(character)) return `non-ASCII space ${describeCodePoint(character)}`;
  return undefined;
}

/** The first character a plain argv may not contain, with why; undefined when the text is clean. */
export function findUnsafeCharacter(text: string): UnsafeCharacter | undefined {
  let index = 0;
  for (const character of text) {
    const reason = classify(character);
    if (reason) return { character, index, reason };
    index += character.length;
  }
  return undefined;
}

function refuse(message: string, details: Record<string, unknown>): never {
  throw new TwisterError('COMMAND_NOT_ALLOWED', message, details);
}

/**
 * Splits on spaces and tabs; `'…'` and `"…"` group words (the other quote is literal inside).
 * No escapes, no expansions, no globbing: such characters make the whole command refused.
 */
export function splitCommand(command: string): string[] {
  if (command.length > MAX_COMMAND_LENGTH) {
    refuse(`command is longer than ${MAX_COMMAND_LENGTH} characters`, { reason: 'too_long', length: command.length });
  }
  const unsafe = findUnsafeCharacter(command);
  if (unsafe) {
    refuse(
      `command contains ${unsafe.reason} at position ${unsafe.index}; commands run without a shell as one program with plain arguments`,
      {
        reason: 'unsafe_character',
        character: describeCodePoint(unsafe.character),
        position: unsafe.index,
      },
    );
  }
  const argv: string[] = [];
  let current: string | undefined;
  let quote: '"' | "'" | undefined;
  let quoteStart = 0;
  for (let i = 0; i < command.length; i++) {
    const character = command[i]!;
    if (quote) {
      if (character === quote) quote = undefined;
      else current += character;
    } else if (character === ' ' || character === '\t') {
      if (current !== undefined) argv.push(current);
      current = undefined;
    } else if (character === '"' || character === "'") {
      quote = character;
      quoteStart = i;
      current ??= '';
    } else {
      current = (current ?? '') + character;
    }
  }
  if (quote)
    refuse(`command has an unbalanced ${quote} quote opened at position ${quoteStart}`, {
      reason: 'unbalanced_quote',
      position: quoteStart,
    });
  if (current !== undefined) argv.push(current);
  if (argv.length === 0) refuse('command is empty', { reason: 'empty' });
  if (argv.length > MAX_ARGS)
    refuse(`command has ${argv.length} words; at most ${MAX_ARGS} are allowed`, {
      reason: 'too_many_args',
      count: argv.length,
    });
  return argv;
}
