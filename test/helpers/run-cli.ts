// Runs the `twisterlab` command line in this process, through the real parser, against a given API client.
import type { ApiClient } from '../../src/cli/api-client.ts';
import { runCli, type ServerCommands } from '../../src/cli/program.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout split into lines, without the last empty one. */
  lines: string[];
}

export async function runCliWith(
  argv: string[],
  client?: ApiClient,
  options: { colour?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    version: '0.0.0-test',
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    colour: { out: options.colour ?? false, err: options.colour ?? false },
    client: async () => {
      if (!client) throw new Error('this command needs no API client');
      return client;
    },
    server: async (): Promise<ServerCommands> => {
      throw new Error('the server commands are not run in process');
    },
  });
  return { code, stdout, stderr, lines: stdout.split('\n').slice(0, -1) };
}
