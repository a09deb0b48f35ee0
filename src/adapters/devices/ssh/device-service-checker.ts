// Health checks of services that live on an SSH device: the check connects through the device's SSH
// connection (a direct-tcpip channel, as `ssh -L` does), so a service bound to the device's loopback is
// checked as the device itself sees it. Other services go to the plain checker.
import { createServer, type Server, type Socket } from 'node:net';
import type { Client } from 'ssh2';
import type { SshDeviceSpec } from '../../../core/device-spec.ts';
import { TwisterError } from '../../../core/errors.ts';
import type { ServiceChecker, ServiceDeclaration } from '../../../core/ports.ts';
import type { SshPool } from './ssh-pool.ts';

const DEFAULT_PORTS: Record<string, number> = {
  'http:': 80,
  'https:': 443,
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
  'rediss:': 6379,
};

export interface Target {
  host: string;
  port: number;
  /** The declaration's target with host and port replaced by the local end of the tunnel. */
  through(localPort: number): string;
}

export function parseTarget(service: ServiceDeclaration): Target {
  if (service.kind === 'tcp') {
    const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(service.target);
    if (!match) throw new TwisterError('SERVICE_CHECK_FAILED', `tcp service ${service.name} is not host:port`);
    return { host: match[1]!, port: Number(match[2]), through: (p) => `127.0.0.1:${p}` };
  }
  const url = new URL(service.target);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 80),
    through: (p) => {
      const local = new URL(service.target);
      local.hostname = '127.0.0.1';
      local.port = String(p);
      return local.toString();
    },
  };
}

/** A loopback listener whose every connection is forwarded through the SSH client to host:port on the device. */
export async function openTunnel(
  client: Client,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
      if (error) return socket.destroy();
      socket.pipe(channel).pipe(socket);
      channel.on('close', () => socket.destroy());
      socket.on('error', () => channel.close());
    });
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

export function createDeviceServiceChecker(options: {
  base: ServiceChecker;
  pool: SshPool;
  /** The SSH definition of a device; undefined for `local` and unknown ids. */
  spec: (deviceId: string) => SshDeviceSpec | undefined;
}): ServiceChecker {
  return {
    async check(service, checkOptions) {
      const spec = service.deviceId ? options.spec(service.deviceId) : undefined;
      if (!spec) return options.base.check(service, checkOptions);
      const target = parseTarget(service);
      return options.pool.withConnection(spec, checkOptions.signal, async (client) => {
        const tunnel = await openTunnel(client, target.host, target.port);
        try {
          const result = await options.base.check({ ...service, target: target.through(tunnel.port) }, checkOptions);
          return { ...result, detail: `${result.detail} (through ${spec.id})` };
        } finally {
          tunnel.server.close();
        }
      });
    },
  };
}
