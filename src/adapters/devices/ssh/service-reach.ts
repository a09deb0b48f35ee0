// Reaching a declared service for a whole session (a database connection): a service on an SSH device is
// reached through a loopback tunnel over the device's connection, open while the session lasts; any other
// service at its own URL.
import type { SshDeviceSpec } from '../../../core/device-spec.ts';
import type { ServiceDeclaration } from '../../../core/ports.ts';
import { openTunnel, parseTarget } from './device-service-checker.ts';
import type { SshPool } from './ssh-pool.ts';

export function createServiceReach(options: {
  pool: SshPool;
  /** The SSH definition of a device; undefined for `local` and unknown ids. */
  spec: (deviceId: string) => SshDeviceSpec | undefined;
}) {
  return {
    async withTarget<T>(
      service: ServiceDeclaration,
      signal: AbortSignal,
      use: (target: string) => Promise<T>,
    ): Promise<T> {
      const spec = service.deviceId ? options.spec(service.deviceId) : undefined;
      if (!spec) return use(service.target);
      const target = parseTarget(service);
      return options.pool.withConnection(spec, signal, async (client) => {
        const tunnel = await openTunnel(client, target.host, target.port);
        try {
          return await use(target.through(tunnel.port));
        } finally {
          tunnel.server.close();
        }
      });
    },
  };
}
