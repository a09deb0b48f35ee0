// The commands that run the platform itself (serve, worker, migrate, mcp), loaded by the CLI only when one of
// them runs. The runtime is imported by the command that needs it: `mcp` answers its client while it loads.
import { loadConfig } from '../config.ts';
import type { ServerCommands } from '../cli/program.ts';
import { hashApiKey } from '../http/plugins/auth.ts';

export function serverCommands(env: NodeJS.ProcessEnv, write: (line: string) => void): ServerCommands {
  return {
    async serve() {
      const config = loadConfig(env, hashApiKey);
      const { createLogger, createRuntime, warmStore } = await import('./runtime.ts');
      const logger = createLogger(config);
      const runtime = await createRuntime(config, logger);
      await warmStore(runtime.opened, logger);
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
    },
    async worker({ concurrency }) {
      // The flag goes through the same validation as TWISTERLAB_WORKER_CONCURRENCY.
      const config = loadConfig(
        concurrency === undefined ? env : { ...env, TWISTERLAB_WORKER_CONCURRENCY: concurrency },
        hashApiKey,
      );
      const [{ runWorker }, { createLogger }] = await Promise.all([import('./worker.ts'), import('./runtime.ts')]);
      return runWorker(config, createLogger(config));
    },
    async migrate() {
      const config = loadConfig(env, hashApiKey);
      const { createLogger, openStore } = await import('./runtime.ts');
      const opened = await openStore(config, createLogger(config), true);
      await opened.close();
      write(`migrations applied (${opened.kind})`);
      return 0;
    },
    async mcp() {
      const { serveMcpStdio } = await import('./mcp-stdio.ts');
      return serveMcpStdio(loadConfig(env, hashApiKey));
    },
  };
}
