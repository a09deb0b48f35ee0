// The `twisterlab` command line: every command, option and help text, on commander. Nothing here imports the
// runtime or a command's module: each action loads what it needs when it runs, so `--help` and `--version`
// stay fast and never start, migrate or connect to anything.
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { ApiClient } from './api-client.ts';
import { painter, type Paint } from './colour.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import type { Output } from './ticket-commands.ts';

/** The commands that run the platform itself; wired by the entry point (src/main), loaded only when used. */
export interface ServerCommands {
  serve(): Promise<number>;
  worker(options: { concurrency?: string }): Promise<number>;
  migrate(): Promise<number>;
  mcp(): Promise<number>;
}

export interface CliIo {
  version: string;
  /** Raw streams, for help and errors. */
  stdout(text: string): void;
  stderr(text: string): void;
  /** Colours on stdout and stderr (decided by the entry point: a TTY, NO_COLOR, FORCE_COLOR). */
  colour: { out: boolean; err: boolean };
  /** The client of the running API (made from TWISTERLAB_URL and TWISTERLAB_API_KEY by the entry point). */
  client(): Promise<ApiClient>;
  server(): Promise<ServerCommands>;
}

const EXAMPLES = `
Examples:
  twisterlab serve                                   start the API (embedded store unless DATABASE_URL is set)
  twisterlab worker --concurrency 4                  run tickets from the Redis queue (REDIS_URL, DATABASE_URL)
  twisterlab migrate                                 apply database migrations and exit
  twisterlab mcp                                     MCP server on stdin/stdout (role: TWISTERLAB_MCP_STDIO_ROLE)
  twisterlab ticket submit "The shop is down" --wait --timeout 5m
  twisterlab tickets --status escalated
  twisterlab agents
  twisterlab devices add devices.yaml
  twisterlab approvals --status pending
  twisterlab approve <approval-id> --wait
  twisterlab runbooks dry-run service-restart --service shop
  twisterlab completion bash > ~/.local/share/bash-completion/completions/twisterlab

Clients talk to TWISTERLAB_URL (default http://HOST:PORT) with TWISTERLAB_API_KEY (or TWISTERLAB_API_KEY_FILE).`;

/** `90`, `90s`, `500ms`, `5m`, `1h` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match?.[2] ?? 's'];
  const ms = match && unit ? Math.round(Number(match[1]) * unit) : NaN;
  if (!Number.isFinite(ms) || ms <= 0)
    throw new InvalidArgumentError('expected a duration such as 90, 90s, 500ms, 5m or 1h');
  return ms;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const timeoutOption = () =>
  new Option('--timeout <duration>', 'with --wait: stop waiting after this long (90, 90s, 5m); exit 7').argParser(
    parseDuration,
  );

export function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const paintOut = painter(io.colour.out);
  const out: Output = {
    write: (line) => io.stdout(`${line}\n`),
    warn: (line) => io.stderr(`${line}\n`),
    paint: paintOut,
  };
  const run = (action: (api: ApiClient) => Promise<number>) => async () => done(await action(await io.client()));
  const load = {
    tickets: () => import('./ticket-commands.ts'),
    approvals: () => import('./approval-commands.ts'),
    devices: () => import('./device-commands.ts'),
    runbooks: () => import('./runbook-commands.ts'),
  };

  const program = new Command('twisterlab')
    .description('Autonomous multi-agent support: ticket to verified fix, with an audit trail.')
    .version(io.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `${EXAMPLES}\n\n${EXIT_CODES_HELP}`);
  configure(program, io, paintOut);

  program
    .command('serve')
    .description('start the API (embedded PostgreSQL in TWISTERLAB_DATA_DIR unless DATABASE_URL is set)')
    .action(async () => done(await (await io.server()).serve()));
  program
    .command('worker')
    .description('run tickets from the Redis queue (REDIS_URL and DATABASE_URL)')
    .option('--concurrency <n>', 'tickets at once (as TWISTERLAB_WORKER_CONCURRENCY)')
    .action(async (options: { concurrency?: string }) => done(await (await io.server()).worker(options)));
  program
    .command('migrate')
    .description('apply database migrations and exit')
    .action(async () => done(await (await io.server()).migrate()));
  program
    .command('mcp')
    .description('MCP server on stdin/stdout (role: TWISTERLAB_MCP_STDIO_ROLE)')
    .action(async () => done(await (await io.server()).mcp()));

  const ticket = program.command('ticket').description('submit, show and answer tickets');
  ticket
    .command('submit')
    .description('submit a ticket in plain words')
    .argument('<text>', 'what is wrong, as a user would say it')
    .option('--dry-run', 'plan only: nothing runs', false)
    .option('--wait', 'follow the ticket until it settles; the exit code says how it ended', false)
    .addOption(timeoutOption())
    .option('--device <id>', 'the device it is about')
    .option('--service <name>', 'the declared service it is about')
    .option('--url <url>', 'the URL it is about')
    .option('--idempotency-key <key>', 'a retry with the same key returns the first ticket')
    .option('--json', 'print JSON', false)
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .action(
      async (
        text: string,
        o: {
          dryRun: boolean;
          wait: boolean;
          timeout?: number;
          device?: string;
          service?: string;
          url?: string;
          idempotencyKey?: string;
          json: boolean;
        },
      ) => {
        const { submitCommand } = await load.tickets();
        const context = {
          ...(o.device ? { deviceId: o.device } : {}),
          ...(o.service ? { serviceName: o.service } : {}),
          ...(o.url ? { url: o.url } : {}),
        };
        await run((api) =>
          submitCommand(
            api,
            {
              text,
              dryRun: o.dryRun,
              wait: o.wait,
              json: o.json,
              context,
              ...(o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {}),
              ...(o.timeout === undefined ? {} : { timeoutMs: o.timeout }),
            },
            out,
          ),
        )();
      },
    );
  ticket
    .command('show')
    .description('a ticket with its analysis, plan, steps and audit trail')
    .argument('<id>', 'ticket id')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { json: boolean }) => {
      const { showCommand } = await load.tickets();
      await run((api) => showCommand(api, id, o.json, out))();
    });
  ticket
    .command('confirm')
    .description('confirm a no-fault-found or resolved ticket: all is well')
    .argument('<id>', 'ticket id')
    .option('--note <text>', 'a note for the audit trail')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { note?: string; json: boolean }) => {
      const { answerCommand } = await load.tickets();
      await run((api) => answerCommand(api, 'confirm', id, o.note, o.json, out))();
    });
  ticket
    .command('reopen')
    .description('reopen a no-fault-found or resolved ticket: still broken (to a human)')
    .argument('<id>', 'ticket id')
    .requiredOption('--reason <text>', 'what is still wrong')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { reason: string; json: boolean }) => {
      const { answerCommand } = await load.tickets();
      await run((api) => answerCommand(api, 'reopen', id, o.reason, o.json, out))();
    });
  addHandoffCommands(ticket, () => import('./handoff-commands.ts'), run, out);

  program
    .command('tickets')
    .description('list tickets, newest first')
    .option('--status <status>', 'only in this status')
    .option('--category <category>', 'only of this category')
    .option('--priority <priority>', 'only of this priority')
    .option('--limit <n>', 'at most this many')
    .option('--json', 'print JSON', false)
    .action(async (o: { status?: string; category?: string; priority?: string; limit?: string; json: boolean }) => {
      const { listCommand } = await load.tickets();
      const query = Object.fromEntries(
        (['status', 'category', 'priority', 'limit'] as const).flatMap((k) => (o[k] ? [[k, o[k]!]] : [])),
      );
      await run((api) => listCommand(api, query, o.json, out))();
    });
  program
    .command('agents')
    .description('the agents and the capabilities they offer')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean }) => {
      const { agentsCommand } = await load.tickets();
      await run((api) => agentsCommand(api, o.json, out))();
    });

  addDeviceCommands(program, load.devices, run, out);
  addApprovalCommands(program, load.approvals, run, out);
  addRunbookCommands(program, load.runbooks, run, out, done);

  program
    .command('completion')
    .description('print a completion script: bash or zsh (see the README to install it)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action(async (shell: 'bash' | 'zsh') => {
      const { completionScript } = await import('./completion.ts');
      io.stdout(completionScript(program, shell));
      done(EXIT.ok);
    });
  return program;
}

type Run = (action: (api: ApiClient) => Promise<number>) => () => Promise<void>;

function addDeviceCommands(
  program: Command,
  load: () => Promise<typeof import('./device-commands.ts')>,
  run: Run,
  out: Output,
): void {
  const devices = program
    .command('devices')
    .description('the device inventory: list, show, add, remove, host keys, run a command');
  devices
    .command('list', { isDefault: true })
    .description('the inventory (local, inventory file, API)')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean }) => {
      const m = await load();
      await run((api) => m.listDevices(api, o.json, out))();
    });
  devices
    .command('show')
    .description('one device')
    .argument('<id>', 'device id')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { json: boolean }) => {
      const m = await load();
      await run((api) => m.showDevice(api, id, o.json, out))();
    });
  devices
    .command('add')
    .description('register the device(s) of a YAML or JSON file through the API')
    .argument('<file>', 'file.yaml or file.json')
    .action(async (file: string) => {
      const m = await load();
      await run((api) => m.addDevices(api, file, out))();
    });
  devices
    .command('remove')
    .description('remove a device added through the API')
    .argument('<id>', 'device id')
    .action(async (id: string) => {
      const m = await load();
      await run((api) => m.removeDevice(api, id, out))();
    });
  devices
    .command('host-key')
    .description('the SSH host key the device presents now (nothing is trusted)')
    .argument('<id>', 'device id')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { json: boolean }) => {
      const m = await load();
      await run((api) => m.deviceHostKey(api, id, o.json, out))();
    });
  devices
    .command('trust')
    .description('trust the host key, if it is the one you checked')
    .argument('<id>', 'device id')
    .requiredOption('--fingerprint <SHA256:…>', 'the fingerprint you checked on the device')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { fingerprint: string; json: boolean }) => {
      const m = await load();
      await run((api) => m.trustDevice(api, id, o.fingerprint, o.json, out))();
    });
  devices
    .command('run')
    .description("run a command through the allow-list; exits with the command's exit code")
    .argument('<id>', 'device id')
    .argument('<command>', 'the command, quoted as one argument')
    .action(async (id: string, command: string) => {
      const m = await load();
      await run((api) => m.runOnDevice(api, id, command, out))();
    });
}

function addHandoffCommands(
  ticket: Command,
  load: () => Promise<typeof import('./handoff-commands.ts')>,
  run: Run,
  out: Output,
): void {
  ticket
    .command('assign')
    .description('hand a ticket to a person (operator)')
    .argument('<id>', 'ticket id')
    .option('--to <name>', 'the person')
    .option('--nobody', 'hand it back to nobody', false)
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { to?: string; nobody: boolean; json: boolean }) => {
      if (!o.to === !o.nobody) throw new InvalidArgumentError('give either --to <name> or --nobody');
      const m = await load();
      await run((api) => m.assignCommand(api, id, o.nobody ? null : o.to!, o.json, out))();
    });
  ticket
    .command('comment')
    .description('add a comment (the requester or an operator)')
    .argument('<id>', 'ticket id')
    .argument('<text>', 'the comment')
    .option('--json', 'print JSON', false)
    .action(async (id: string, text: string, o: { json: boolean }) => {
      const m = await load();
      await run((api) => m.commentCommand(api, id, text, o.json, out))();
    });
  ticket
    .command('comments')
    .description("a ticket's comments, oldest first")
    .argument('<id>', 'ticket id')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { json: boolean }) => {
      const m = await load();
      await run((api) => m.commentsCommand(api, id, o.json, out))();
    });
  ticket
    .command('resolve')
    .description('resolve a ticket with a note (a human resolution; not while it is being worked on)')
    .argument('<id>', 'ticket id')
    .requiredOption('--note <text>', 'what was done')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { note: string; json: boolean }) => {
      const m = await load();
      await run((api) => m.humanMoveCommand(api, 'resolve', id, o.note, o.json, out))();
    });
  ticket
    .command('rerun')
    .description('run an escalated, no-fault-found or resolved ticket through the loop again')
    .argument('<id>', 'ticket id')
    .requiredOption('--reason <text>', 'what changed, e.g. the configuration was fixed')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { reason: string; json: boolean }) => {
      const m = await load();
      await run((api) => m.humanMoveCommand(api, 'rerun', id, o.reason, o.json, out))();
    });
}

function addApprovalCommands(
  program: Command,
  load: () => Promise<typeof import('./approval-commands.ts')>,
  run: Run,
  out: Output,
): void {
  program
    .command('approvals')
    .description('steps waiting for (or decided by) an approval')
    .addOption(
      new Option('--status <status>', 'only in this status').choices([
        'pending',
        'approved',
        'denied',
        'expired',
        'consumed',
      ]),
    )
    .option('--ticket <id>', 'only of this ticket')
    .option('--json', 'print JSON', false)
    .action(async (o: { status?: string; ticket?: string; json: boolean }) => {
      const m = await load();
      await run((api) => m.listApprovals(api, o, out))();
    });
  program
    .command('approve')
    .description("approve one step (an admin key, not the requester's)")
    .argument('<approval-id>', 'approval id')
    .option('--wait', 'then follow the ticket until it settles, with the exit codes of ticket submit --wait', false)
    .addOption(timeoutOption())
    .option('--json', 'print JSON', false)
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .action(async (id: string, o: { wait: boolean; timeout?: number; json: boolean }) => {
      const m = await load();
      await run((api) =>
        m.decideApproval(
          api,
          'approve',
          id,
          { json: o.json, wait: o.wait, ...(o.timeout === undefined ? {} : { timeoutMs: o.timeout }) },
          out,
        ),
      )();
    });
  program
    .command('deny')
    .description('deny it: nothing runs and the ticket is escalated')
    .argument('<approval-id>', 'approval id')
    .requiredOption('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { reason: string; json: boolean }) => {
      const m = await load();
      await run((api) => m.decideApproval(api, 'deny', id, o, out))();
    });
}

function addRunbookCommands(
  program: Command,
  load: () => Promise<typeof import('./runbook-commands.ts')>,
  run: Run,
  out: Output,
  done: (code: number) => void,
): void {
  const runbooks = program.command('runbooks').description('the runbook catalogue: list, show, dry-run, validate');
  runbooks
    .command('list', { isDefault: true })
    .description('every runbook, with its highest risk and step counts')
    .option('--category <category>', 'only of this category')
    .option('--json', 'print JSON', false)
    .action(async (o: { category?: string; json: boolean }) => {
      const m = await load();
      await run((api) => m.listRunbooks(api, o, out))();
    });
  runbooks
    .command('show')
    .description('one runbook as loaded')
    .argument('<id>', 'runbook id')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { json: boolean }) => {
      const m = await load();
      await run((api) => m.showRunbook(api, id, o.json, out))();
    });
  runbooks
    .command('dry-run')
    .description('the plan it would make, with a policy decision per step; runs nothing (exit 3: not plannable)')
    .argument('<id>', 'runbook id')
    .argument('[text]', 'ticket text to plan for')
    .option('--service <name>', 'for this declared service')
    .option('--device <id>', 'on this device')
    .option('--url <url>', 'for this URL')
    .option('--param <KEY=VALUE>', 'a parameter (repeatable)', collect)
    .option('--json', 'print JSON', false)
    .action(
      async (
        id: string,
        text: string | undefined,
        o: { service?: string; device?: string; url?: string; param?: string[]; json: boolean },
      ) => {
        const m = await load();
        await run((api) => m.dryRunRunbook(api, id, { ...o, ...(text ? { text } : {}) }, out))();
      },
    );
  runbooks
    .command('validate')
    .description('check a directory of runbooks offline (schema, templates, ids); no server needed')
    .argument('<dir>', 'the directory')
    .action(async (dir: string) => {
      const { validateRunbooksCommand } = await import('./runbook-validate.ts');
      done(validateRunbooksCommand(dir, out));
    });
}

/** Output, colours and errors for the program and every subcommand (commander copies these settings down). */
function configure(program: Command, io: CliIo, paint: Paint): void {
  const paintErr = painter(io.colour.err);
  program
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      getOutHasColors: () => io.colour.out,
      getErrHasColors: () => io.colour.err,
      outputError: (text, write) => write(paintErr('red', text)),
    })
    .configureHelp({
      showGlobalOptions: false,
      sortSubcommands: false,
      styleTitle: (text) => paint('bold', text),
      styleCommandText: (text) => paint('cyan', text),
      styleSubcommandText: (text) => paint('cyan', text),
      styleOptionText: (text) => paint('yellow', text),
    })
    .exitOverride();
}

/**
 * Parses and runs one command line. Returns the exit code: usage errors are 2 (named, with a suggestion),
 * help and version 0. Errors of the command itself (the API refused, unreachable) are thrown to the caller.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help asked for (--help, `help`) exits 0; help shown because something was missing exits as a usage error.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
}
