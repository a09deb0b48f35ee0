// The spawn helper's own process (started by spawn-helper.ts over an IPC channel): runs each argv it is sent
// with runArgv — no shell, own process group, timeout, cap — and answers with the result. It is small, so the
// fork behind each command copies little; the platform's process, however big, only writes a message.
// When the channel closes (the platform exited or was killed), every command still running is killed with its
// group and the helper exits: nothing it started outlives it unsupervised.
import { isTwisterError } from '../../core/errors.ts';
import { killProcessGroup, runArgv } from './local-run.ts';
import type { HelperReply, HelperRequest } from './spawn-helper-protocol.ts';

const running = new Map<number, { controller: AbortController; pid?: number }>();

function reply(message: HelperReply): void {
  // A write the platform can no longer read (it closed the channel, EPIPE) means the same as the channel closing.
  if (process.connected) process.send!(message, undefined, undefined, (error) => error && stopAll());
}

/** The platform is gone or closed the channel: every command still running is killed with its group, then exit. */
function stopAll(): never {
  for (const { controller, pid } of running.values()) {
    controller.abort();
    if (pid !== undefined) killProcessGroup(pid);
  }
  process.exit(0);
}

function start(request: Extract<HelperRequest, { type: 'run' }>): void {
  const entry: { controller: AbortController; pid?: number } = { controller: new AbortController() };
  running.set(request.id, entry);
  const options = { timeoutMs: request.timeoutMs, outputCap: request.outputCap, signal: entry.controller.signal };
  runArgv(request.argv, options, request.searchPath, (pid) => {
    entry.pid = pid;
    reply({ type: 'started', id: request.id, pid });
  })
    .then(
      (result) => reply({ type: 'done', id: request.id, result }),
      (error: unknown) =>
        reply({
          type: 'failed',
          id: request.id,
          error: isTwisterError(error)
            ? { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) }
            : { code: 'COMMAND_FAILED', message: error instanceof Error ? error.message : String(error) },
        }),
    )
    .finally(() => running.delete(request.id));
}

process.on('message', (message: HelperRequest) => {
  if (message.type === 'run') start(message);
  else if (message.type === 'cancel') running.get(message.id)?.controller.abort();
});

process.on('disconnect', stopAll);
