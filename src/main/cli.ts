// The `twisterlab` entry point: parses the command line (src/cli/program.ts) and loads only what the command
// needs — the runtime for serve/worker/migrate/mcp, the API client for the others, nothing for help and version.
import { PACKAGE_VERSION } from '../adapters/package-root.ts';
import { colourEnabled } from '../cli/colour.ts';
import { runCli } from '../cli/program.ts';
import { terminalSettings } from '../config/terminal.ts';

const env = process.env;
const colours = terminalSettings(env);

runCli(process.argv.slice(2), {
  version: PACKAGE_VERSION,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  colour: { out: colourEnabled(colours, process.stdout), err: colourEnabled(colours, process.stderr) },
  async client() {
    const [{ ApiClient }, { loadClientConfig }] = await Promise.all([
      import('../cli/api-client.ts'),
      import('../config/client.ts'),
    ]);
    const config = loadClientConfig(env);
    return new ApiClient({
      baseUrl: config.apiUrl,
      apiKeyHeader: config.apiKeyHeader,
      ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    });
  },
  async server() {
    const { serverCommands } = await import('./server-commands.ts');
    return serverCommands(env, (line) => process.stdout.write(`${line}\n`));
  },
}).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`twisterlab: ${error.message}\n`);
    process.exit(1);
  },
);
