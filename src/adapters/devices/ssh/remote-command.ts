// The command line sent over SSH. sshd hands it to the user's shell, so each argv element is single-quoted
// (POSIX: nothing inside '…' is special; a ' becomes '\''). Before the program starts, the shell prints the
// id of its process group (read from /proc: sshd puts each session in a group of its own, led by the
// shell or by a wrapper that ran it), then execs the program with a fixed environment, so a timeout can
// kill that whole group from a second channel, the program's children included.
import { TwisterError } from '../../../core/errors.ts';
import { SAFE_PATH } from '../local-executor.ts';

export const PGID_MARKER = 'twisterlab-pgid=';
const PREAMBLE_LIMIT = 64;

export function quoteArg(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * `…echo twisterlab-pgid=<pgrp>; exec env -i PATH=… 'program' 'arg'…`. Quoting makes any argument literal, so
 * this only refuses what cannot be passed at all (NUL) or what `env` would read as an option or a variable.
 * Which commands may run is decided before, by the guard (core/command-guard).
 */
export function buildRemoteCommand(argv: readonly string[]): string {
  const [program] = argv;
  if (!program || program.startsWith('-') || program.includes('=')) {
    throw new TwisterError('COMMAND_NOT_ALLOWED', `"${program ?? ''}" cannot be a program name`, {
      reason: 'bad_program',
    });
  }
  if (argv.some((arg) => arg.includes('\0')))
    throw new TwisterError('COMMAND_NOT_ALLOWED', 'an argument contains a NUL byte', { reason: 'unsafe_character' });
  const env = [`PATH=${SAFE_PATH}`, 'LANG=C.UTF-8', 'LC_ALL=C.UTF-8'].map(quoteArg).join(' ');
  // Field 5 of /proc/<pid>/stat is the process group; `$$` is the fallback where there is no /proc.
  const group = `read -r _ _ _ _ g _ < /proc/$$/stat 2>/dev/null || g=$$`;
  return `${group}; echo ${PGID_MARKER}$g; exec env -i ${env} ${argv.map(quoteArg).join(' ')}`;
}

/** The kill sent on a second channel: the program's whole process group, then the leader itself if the group is gone. */
export function buildKillCommand(pgid: number): string {
  if (!Number.isSafeInteger(pgid) || pgid < 2) throw new Error(`not a process group id: ${pgid}`);
  // `kill -9 -N` is the one spelling both dash and bash read as "the group N" (dash rejects `--` and `-s KILL -N`).
  return `kill -9 -${pgid} 2>/dev/null || kill -9 ${pgid} 2>/dev/null; true`;
}

/**
 * Reads the marker line off the start of stdout. Returns the pgid and the bytes after the line once the
 * line is complete, `pending` while it is not, or `absent` when the output does not start with it.
 */
export function readPreamble(
  buffered: Buffer,
): { state: 'found'; pgid: number; rest: Buffer } | { state: 'pending' } | { state: 'absent' } {
  const newline = buffered.indexOf(0x0a);
  const head = buffered
    .subarray(0, newline < 0 ? Math.min(buffered.length, PREAMBLE_LIMIT) : newline)
    .toString('latin1');
  if (!PGID_MARKER.startsWith(head.slice(0, PGID_MARKER.length))) return { state: 'absent' };
  if (newline < 0) return buffered.length > PREAMBLE_LIMIT ? { state: 'absent' } : { state: 'pending' };
  const match = /^twisterlab-pgid=(\d{1,10})$/.exec(head);
  if (!match) return { state: 'absent' };
  return { state: 'found', pgid: Number(match[1]), rest: buffered.subarray(newline + 1) };
}
