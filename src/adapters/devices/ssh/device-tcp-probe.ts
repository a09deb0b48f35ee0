// A TCP connection opened by an SSH device: a direct-tcpip channel on its pooled connection (as `ssh -W` does),
// so the device itself connects, from its own network. No command runs on the device. The latency includes
// one SSH round trip between this machine and the device.
import type { SshDeviceSpec } from '../../../core/device-spec.ts';
import { TwisterError } from '../../../core/errors.ts';
import type { ProbeOptions, TcpProbeResult } from '../../../core/network-probes.ts';
import { roundMs } from '../../network/tcp-probe.ts';
import type { SshPool } from './ssh-pool.ts';

export function createDeviceTcpProbe(options: {
  pool: SshPool;
  spec: (deviceId: string) => SshDeviceSpec | undefined;
}) {
  return async (
    deviceId: string,
    host: string,
    port: number,
    { timeoutMs, signal }: ProbeOptions,
  ): Promise<TcpProbeResult> => {
    const spec = options.spec(deviceId);
    if (!spec)
      throw new TwisterError('DEVICE_NOT_FOUND', `no SSH device "${deviceId}" in the inventory`, {
        device_id: deviceId,
      });
    return options.pool.withConnection(
      spec,
      signal,
      (client) =>
        new Promise<TcpProbeResult>((resolve, reject) => {
          const started = performance.now();
          let settled = false;
          const settle = (done: () => void) => {
            settled = true;
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            done();
          };
          const elapsed = () => roundMs(performance.now() - started);
          const onAbort = () => settle(() => reject(new TwisterError('CAPABILITY_ABORTED', 'the check was cancelled')));
          const timer = setTimeout(
            () =>
              settle(() =>
                resolve({ reachable: false, latencyMs: elapsed(), error: `no answer within ${timeoutMs} ms` }),
              ),
            timeoutMs,
          );
          signal.addEventListener('abort', onAbort, { once: true });
          client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
            // Opened after the timeout or a cancel: nobody waits for it any more.
            if (settled) return channel?.close();
            if (error) return settle(() => resolve({ reachable: false, latencyMs: elapsed(), error: error.message }));
            const latencyMs = elapsed();
            channel.close();
            settle(() => resolve({ reachable: true, latencyMs }));
          });
        }),
    );
  };
}
