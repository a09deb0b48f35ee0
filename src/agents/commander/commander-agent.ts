// The commander runs one allow-listed command on one registered device, as an argv without a shell,
// and reports its output. A refused command never reaches the executor.
import { z } from 'zod';
import { matchAllowList } from '../../core/allowlist.ts';
import { splitCommand } from '../../core/argv.ts';
import { defineAgent, defineCapability } from '../../core/capability.ts';
import { runGuarded, type CommandAudit } from '../../core/command-guard.ts';
import { TwisterError } from '../../core/errors.ts';
import type { DeviceInventory } from '../../core/ports.ts';

export interface CommanderDeps {
  inventory: DeviceInventory;
  /** The command's own timeout; its whole process tree is killed when it fires. */
  timeoutMs: number;
  /** Bytes kept of stdout and of stderr each. */
  outputCap: number;
  /** Records every attempt — executed, refused or failed — with device, argv, exit code and duration. */
  audit?: CommandAudit;
}

// The capability's timeout sits above the command's so the command's kill fires, and reports, first.
const CAPABILITY_TIMEOUT_MARGIN_MS = 2_000;

const executeCommandInput = z.strictObject({
  device_id: z.string().min(1).max(128).describe('Id of a device in the inventory, e.g. "local"'),
  command: z.string().describe("One program with plain arguments, matching the device's allow-list; no shell syntax"),
});

const executeCommandOutput = z.object({
  device_id: z.string(),
  argv: z.array(z.string()),
  stdout: z.string(),
  stderr: z.string(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  duration_ms: z.number().nonnegative(),
  truncated: z.boolean(),
});

export const executeCommand = defineCapability<typeof executeCommandInput, typeof executeCommandOutput, CommanderDeps>({
  id: 'commander.execute_command',
  description:
    'Run an allow-listed command on a registered device (argv, no shell); a non-zero exit code is reported, not raised',
  // A command may change things; the device's allow-list is what narrows it.
  risk: 'change',
  // One call is as risky as the rule that allows it (a rule without a risk counts as a change).
  assessRisk: (input, deps) => {
    try {
      const rules = deps.inventory.get(input.device_id)?.allow ?? [];
      return matchAllowList(splitCommand(input.command), rules)?.risk ?? 'change';
    } catch {
      return 'change';
    }
  },
  input: executeCommandInput,
  output: executeCommandOutput,
  run: async (input, ctx) => {
    const { inventory, timeoutMs, outputCap } = ctx.deps;
    const device = inventory.get(input.device_id);
    const executor = inventory.executor(input.device_id);
    if (!device || !executor) {
      await ctx.deps
        .audit?.({
          outcome: 'refused',
          deviceId: input.device_id,
          argv: null,
          actor: ctx.actor,
          error: 'DEVICE_NOT_FOUND',
          ...(ctx.ticketId ? { ticketId: ctx.ticketId } : {}),
        })
        .catch(() => undefined);
      throw new TwisterError('DEVICE_NOT_FOUND', `no device "${input.device_id}" in the inventory`, {
        device_id: input.device_id,
        known: inventory.list().map((d) => d.id),
      });
    }
    ctx.logger.info({ device: device.id, actor: ctx.actor }, 'running command');
    const { argv, result } = await runGuarded({
      device,
      executor,
      command: input.command,
      options: { timeoutMs, outputCap, signal: ctx.signal },
      actor: ctx.actor,
      logger: ctx.logger,
      ...(ctx.ticketId ? { ticketId: ctx.ticketId } : {}),
      ...(ctx.deps.audit ? { audit: ctx.deps.audit } : {}),
    });
    const output = {
      device_id: device.id,
      argv,
      stdout: result.stdout,
      stderr: result.stderr,
      exit_code: result.exitCode,
      signal: result.signal,
      duration_ms: Math.round(result.durationMs),
      truncated: result.truncated,
    };
    if (result.timedOut) {
      throw new TwisterError(
        'COMMAND_TIMEOUT',
        `"${argv[0]}" ran past ${timeoutMs} ms on ${device.id}; its process tree was killed`,
        output,
      );
    }
    return output;
  },
});

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. */
export const commanderAgent = {
  id: 'commander',
  description: 'Runs allow-listed commands on registered devices, without a shell',
  capabilities: [executeCommand],
};

export function createCommanderAgent(deps: CommanderDeps) {
  return defineAgent({
    ...commanderAgent,
    deps,
    capabilities: [{ ...executeCommand, timeoutMs: deps.timeoutMs + CAPABILITY_TIMEOUT_MARGIN_MS }],
  });
}
