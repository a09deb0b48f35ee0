// Wiring of the device inventory: the inventory file, API devices from the store, the SSH pool, the
// service checker that reaches services through their device, and the command audit hook.
import { DeviceCatalog } from '../adapters/devices/device-catalog.ts';
import { chooseSpawnHelper } from '../adapters/devices/spawn-helper.ts';
import { loadInventoryFile } from '../adapters/devices/inventory-file.ts';
import { createDeviceServiceChecker } from '../adapters/devices/ssh/device-service-checker.ts';
import { SshPool } from '../adapters/devices/ssh/ssh-pool.ts';
import { createServiceChecker } from '../adapters/health/service-checker.ts';
import type { OpenedStore } from '../adapters/store/open-store.ts';
import type { Config } from '../config.ts';
import type { CommandAudit } from '../core/command-guard.ts';
import { TwisterError } from '../core/errors.ts';
import { redactArgv, redactSecrets } from '../core/redaction.ts';
import type { Logger } from '../core/logger.ts';
import type { AllowRule, ServiceChecker, ServiceDeclaration } from '../core/ports.ts';
import { parseServiceDeclarations } from '../core/service-declarations.ts';
import type { TicketRepository } from '../core/ticket-repository.ts';

export interface DeviceWiring {
  catalog: DeviceCatalog;
  pool: SshPool;
  /** The configured services and those declared on devices (known at start). */
  services: ServiceDeclaration[];
  checker: ServiceChecker;
  audit: CommandAudit;
  close(): Promise<void>;
}

/** `command.executed` / `command.refused` / `command.failed` rows, tied to the ticket when there is one. */
export function commandAudit(store: Pick<TicketRepository, 'appendAudit'>): CommandAudit {
  return async (record) => {
    const { outcome, ticketId, actor, deviceId, exitCode, signal, timedOut, durationMs, error, reason, command, argv } =
      record;
    // The argument after `--password` or `sshpass -p` is a secret that no text rule can see on its own.
    const shown = {
      argv: argv && redactArgv(argv),
      command: command && redactSecrets(command),
      error: error && redactSecrets(error),
      reason: reason && redactSecrets(reason),
    };
    const details = Object.fromEntries(
      Object.entries({ device: deviceId, ...shown, exitCode, signal, timedOut, durationMs }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    await store.appendAudit([{ ticketId: ticketId ?? null, actor, action: `command.${outcome}`, details }]);
  };
}

function deviceServices(catalog: DeviceCatalog, configured: ServiceDeclaration[]): ServiceDeclaration[] {
  const names = new Set(configured.map((s) => s.name.toLowerCase()));
  const declared: ServiceDeclaration[] = [];
  for (const device of catalog.list()) {
    const spec = catalog.spec(device.id);
    for (const [name, url] of Object.entries(spec?.services ?? {})) {
      if (names.has(name.toLowerCase())) {
        throw new TwisterError(
          'CONFIG_INVALID',
          `service "${name}" of device ${device.id} is already declared (TWISTERLAB_SERVICES or another device)`,
          { service: name },
        );
      }
      names.add(name.toLowerCase());
      const [service] = parseServiceDeclarations(`${name}=${url}`);
      declared.push({ ...service!, deviceId: device.id });
    }
  }
  return declared;
}

export async function wireDevices(options: {
  config: Pick<
    Config,
    'devicesFile' | 'sshConnectTimeoutMs' | 'sshAuthSock' | 'localPath' | 'spawnHelper' | 'secretEnv'
  >;
  opened: Pick<OpenedStore, 'store' | 'devices'>;
  localAllow: AllowRule[];
  services: ServiceDeclaration[];
  logger: Logger;
}): Promise<DeviceWiring> {
  const { config, opened, logger } = options;
  const fileDevices = config.devicesFile ? loadInventoryFile(config.devicesFile) : [];
  const pool = new SshPool({
    connectTimeoutMs: config.sshConnectTimeoutMs,
    logger,
    ...(config.sshAuthSock ? { agentSocket: config.sshAuthSock } : {}),
  });
  const spawnHelper = chooseSpawnHelper(config.spawnHelper);
  logger.info({ spawnHelper }, `local commands start through the ${spawnHelper} spawn helper`);
  const catalog = await DeviceCatalog.open({
    localAllow: options.localAllow,
    fileDevices,
    repository: opened.devices,
    pool,
    connectTimeoutMs: config.sshConnectTimeoutMs,
    ...(config.localPath ? { localPath: config.localPath } : {}),
    spawnHelper,
  });
  if (fileDevices.length > 0)
    logger.info({ file: config.devicesFile, devices: fileDevices.map((d) => d.id) }, 'device inventory loaded');
  const services = [...options.services, ...deviceServices(catalog, options.services)];
  const checker = createDeviceServiceChecker({
    base: createServiceChecker({ env: config.secretEnv }),
    pool,
    spec: (id) => catalog.spec(id),
  });
  return { catalog, pool, services, checker, audit: commandAudit(opened.store), close: () => pool.close() };
}
