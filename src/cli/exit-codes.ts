// The exit codes of `twisterlab`, one place for the code, `--help` and the README.
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  escalated: 3,
  awaitingApproval: 4,
  noFaultFound: 5,
  streamLost: 6,
  timedOut: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  done (with --wait: the ticket is resolved, or a dry run is planned)
  1  an error: the API refused the request or cannot be reached, or the configuration is invalid
  2  usage: an unknown command or option, a missing argument
  3  the ticket was escalated to a human or failed (--wait)
  4  a step waits for an approval (--wait)
  5  no fault was found: confirm or reopen the ticket (--wait)
  6  the event stream was lost before the ticket settled; the ticket goes on (--wait)
  7  --timeout expired before the ticket settled; the ticket goes on (--wait)
  \`devices run\` exits with the command's own exit code.`;
