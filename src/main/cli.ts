// The `twisterlab` command: serve and migrate run here; the other commands are clients of a running API.
import { parseArgs } from 'node:util';
import { ApiClient } from '../cli/api-client.ts';
import { approvalsCommand, APPROVALS_USAGE } from '../cli/approval-commands.ts';
import { devicesCommand, DEVICES_USAGE } from '../cli/device-commands.ts';
import { runbooksCommand, RUNBOOKS_USAGE, validateRunbooksCommand } from '../cli/runbook-commands.ts';
import { agentsCommand, answerCommand, listCommand, showCommand, submitCommand, type Output } from '../cli/ticket-commands.ts';
import { loadConfig } from '../config.ts';
import { hashApiKey } from '../http/plugins/auth.ts';
import { serveMcpStdio } from './mcp-stdio.ts';
import { runWorker } from './worker.ts';
import { createLogger, createRuntime, openStore, VERSION } from './runtime.ts';

const USAGE = `twisterlab ${VERSION}

usage:
  twisterlab serve                         start the API (embedded store unless DATABASE_URL is set)
  twisterlab worker [--concurrency N]      run tickets from the Redis queue (REDIS_URL and DATABASE_URL)
  twisterlab migrate                       apply database migrations and exit
  twisterlab mcp                           MCP server on stdin/stdout (role: TWISTERLAB_MCP_STDIO_ROLE)
  twisterlab ticket submit "<text>" [--dry-run] [--wait] [--device ID] [--service NAME] [--url URL]
                                           [--idempotency-key KEY] [--json]
  twisterlab ticket show <id> [--json]
  twisterlab ticket confirm <id> [--note "…"] | ticket reopen <id> --reason "…"   answer a no-fault-found or resolved ticket
  twisterlab tickets [--status S] [--category C] [--priority P] [--limit N] [--json]
  twisterlab agents [--json]
${DEVICES_USAGE}
${APPROVALS_USAGE}
${RUNBOOKS_USAGE}

\`ticket submit --wait\` exits 0 when resolved, 4 when a step waits for approval, 5 when no fault was found, 3 otherwise.

Clients talk to TWISTERLAB_URL (default http://HOST:PORT) with TWISTERLAB_API_KEY.`;

const out: Output = { write: (line) => process.stdout.write(`${line}\n`) };

async function serve(): Promise<number> {
  const config = loadConfig(process.env, hashApiKey);
  const logger = createLogger(config);
  const runtime = await createRuntime(config, logger);
  const address = await runtime.app.listen({ host: config.host, port: config.port });
  logger.info({ address, store: runtime.opened.kind, docs: `${address}/docs` }, 'TwisterLab is listening');
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: finishing tickets in flight');
      runtime.close().then(resolve, (err) => {
        logger.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

async function worker(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { concurrency: { type: 'string' } } });
  // The flag goes through the same validation as TWISTERLAB_WORKER_CONCURRENCY.
  const env = values.concurrency === undefined ? process.env : { ...process.env, TWISTERLAB_WORKER_CONCURRENCY: values.concurrency };
  const config = loadConfig(env, hashApiKey);
  return runWorker(config, createLogger(config));
}

async function migrate(): Promise<number> {
  const config = loadConfig(process.env, hashApiKey);
  const logger = createLogger(config);
  const opened = await openStore(config, logger, true);
  await opened.close();
  out.write(`migrations applied (${opened.kind})`);
  return 0;
}

/** A client of the running API at TWISTERLAB_URL, with TWISTERLAB_API_KEY. */
function apiClient(): ApiClient {
  const config = loadConfig(process.env, hashApiKey);
  return new ApiClient({ baseUrl: config.apiUrl, apiKeyHeader: config.apiKeyHeader, ...(config.apiKey ? { apiKey: config.apiKey } : {}) });
}

async function client(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      'dry-run': { type: 'boolean', default: false }, wait: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
      device: { type: 'string' }, service: { type: 'string' }, url: { type: 'string' }, 'idempotency-key': { type: 'string' },
      status: { type: 'string' }, category: { type: 'string' }, priority: { type: 'string' }, limit: { type: 'string' },
      note: { type: 'string' }, reason: { type: 'string' },
    },
  });
  const api = apiClient();
  const [command, sub, arg] = positionals;
  if (command === 'agents') return agentsCommand(api, values.json, out);
  if (command === 'tickets') {
    const query = Object.fromEntries((['status', 'category', 'priority', 'limit'] as const).flatMap((k) => (values[k] ? [[k, values[k]!]] : [])));
    return listCommand(api, query, values.json, out);
  }
  if (command === 'ticket' && sub === 'show' && arg) return showCommand(api, arg, values.json, out);
  if (command === 'ticket' && sub === 'confirm' && arg) return answerCommand(api, 'confirm', arg, values.note, values.json, out);
  if (command === 'ticket' && sub === 'reopen' && arg && values.reason) return answerCommand(api, 'reopen', arg, values.reason, values.json, out);
  if (command === 'ticket' && sub === 'submit' && arg) {
    const context = { ...(values.device ? { deviceId: values.device } : {}), ...(values.service ? { serviceName: values.service } : {}), ...(values.url ? { url: values.url } : {}) };
    return submitCommand(api, {
      text: arg, dryRun: values['dry-run'], wait: values.wait, json: values.json, context,
      ...(values['idempotency-key'] ? { idempotencyKey: values['idempotency-key'] } : {}),
    }, out);
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    out.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version') {
    out.write(VERSION);
    return 0;
  }
  if (command === 'serve') return serve();
  if (command === 'worker') return worker(argv.slice(1));
  if (command === 'migrate') return migrate();
  if (command === 'devices') return devicesCommand(apiClient(), argv.slice(1), out);
  if (command === 'approvals' || command === 'approve' || command === 'deny') return approvalsCommand(apiClient(), argv, out);
  if (command === 'runbooks' && argv[1] === 'validate') return validateRunbooksCommand(argv.slice(2), out);
  if (command === 'runbooks') return runbooksCommand(apiClient(), argv, out);
  if (command === 'mcp') return serveMcpStdio(loadConfig(process.env, hashApiKey));
  return client(argv);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`twisterlab: ${error.message}\n`);
    process.exit(1);
  },
);
