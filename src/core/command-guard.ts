// The guardrails every command passes, on any device and from any agent: a plain argv (never a shell string),
// matched against an allow-list, and one audit record per attempt — refused, failed to run, or executed.
import { assertAllowed } from './allowlist.ts';
import { findUnsafeCharacter, MAX_ARGS, MAX_COMMAND_LENGTH, splitCommand } from './argv.ts';
import { isTwisterError, TwisterError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { AllowRule, CommandExecutor, Device, ExecOptions, ExecResult } from './ports.ts';

export type CommandOutcome = 'executed' | 'refused' | 'failed';

export interface CommandAuditRecord {
  outcome: CommandOutcome;
  deviceId: string;
  /** Null when the command could not even be split into an argv. */
  argv: string[] | null;
  /** The command line as sent, when it was refused before it could be split. */
  command?: string;
  actor: string;
  ticketId?: string;
  exitCode?: number | null;
  signal?: string | null;
  timedOut?: boolean;
  durationMs?: number;
  /** The error code of a refused or failed attempt. */
  error?: string;
  reason?: string;
}

/** Writes one audit record; a failure to write is logged by the guard and never hides the command's result. */
export type CommandAudit = (record: CommandAuditRecord) => Promise<void>;

const MAX_AUDITED_TEXT = 200;

/** Refuses an argv that a shell (local or remote) could read as more than one plain program with plain arguments. */
export function assertPlainArgv(argv: readonly string[]): string[] {
  if (argv.length === 0 || !argv[0])
    throw new TwisterError('COMMAND_NOT_ALLOWED', 'command is empty', { reason: 'empty' });
  if (argv.length > MAX_ARGS)
    throw new TwisterError('COMMAND_NOT_ALLOWED', `command has more than ${MAX_ARGS} words`, {
      reason: 'too_many_args',
    });
  if (argv.reduce((n, a) => n + a.length + 1, 0) > MAX_COMMAND_LENGTH) {
    throw new TwisterError('COMMAND_NOT_ALLOWED', `command is longer than ${MAX_COMMAND_LENGTH} characters`, {
      reason: 'too_long',
    });
  }
  argv.forEach((arg, index) => {
    const unsafe = findUnsafeCharacter(arg);
    if (unsafe || arg.includes('"') || arg.includes("'")) {
      throw new TwisterError(
        'COMMAND_NOT_ALLOWED',
        `argument ${index} contains ${unsafe?.reason ?? 'a quote'}; arguments are plain words`,
        {
          reason: 'unsafe_character',
          argument: index,
        },
      );
    }
  });
  return [...argv];
}

export interface GuardedCommand {
  device: Device;
  executor: CommandExecutor;
  /** A command line (split without a shell) or an argv built by code. */
  command: string | readonly string[];
  /** The rules to match; the device's own allow-list unless a caller has a fixed, narrower set. */
  rules?: readonly AllowRule[];
  options: ExecOptions;
  actor: string;
  ticketId?: string;
  audit?: CommandAudit;
  logger: Logger;
}

export interface GuardedResult {
  argv: string[];
  rule: AllowRule;
  result: ExecResult;
}

/** Bounded, with control and invisible characters spelled out (`\\u0000`): audit rows show what was sent, safely. */
function shortText(text: string): string {
  const cut = text.length > MAX_AUDITED_TEXT ? `${text.slice(0, MAX_AUDITED_TEXT)}…` : text;
  return cut.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

async function record(
  run: GuardedCommand,
  entry: Omit<CommandAuditRecord, 'deviceId' | 'actor' | 'ticketId'>,
): Promise<void> {
  if (!run.audit) return;
  try {
    await run.audit({
      deviceId: run.device.id,
      actor: run.actor,
      ...(run.ticketId ? { ticketId: run.ticketId } : {}),
      ...entry,
    });
  } catch (error) {
    run.logger.error(
      { err: error, device: run.device.id, outcome: entry.outcome },
      'could not write the command audit record',
    );
  }
}

/** Splits, checks and runs one command; every attempt leaves an audit record. Throws the refusal or failure. */
export async function runGuarded(run: GuardedCommand): Promise<GuardedResult> {
  let argv: string[] | null = null;
  let rule: AllowRule;
  try {
    argv = typeof run.command === 'string' ? splitCommand(run.command) : assertPlainArgv(run.command);
    rule = assertAllowed(argv, run.rules ?? run.device.allow);
  } catch (error) {
    const reason = isTwisterError(error) ? error.message : String(error);
    const shown = argv ?? (typeof run.command === 'string' ? null : run.command.map(shortText));
    const command = argv === null && typeof run.command === 'string' ? { command: shortText(run.command) } : {};
    await record(run, {
      outcome: 'refused',
      argv: shown,
      ...command,
      error: 'COMMAND_NOT_ALLOWED',
      reason: shortText(reason),
    });
    throw error;
  }
  const started = performance.now();
  let result: ExecResult;
  try {
    result = await run.executor.exec(argv, run.options);
  } catch (error) {
    const code = isTwisterError(error) ? error.code : 'COMMAND_FAILED';
    await record(run, { outcome: 'failed', argv, error: code, durationMs: Math.round(performance.now() - started) });
    throw error;
  }
  await record(run, {
    outcome: 'executed',
    argv,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    durationMs: Math.round(result.durationMs),
  });
  return { argv, rule, result };
}
