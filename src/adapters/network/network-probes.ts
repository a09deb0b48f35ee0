// The network probes of the runtime: the egress rule, TCP and TLS from this machine, TCP from SSH devices.
import type { Endpoint } from '../../core/declared-endpoints.ts';
import type { NetworkAllowList } from '../../core/network-guard.ts';
import type { NetworkProbes } from '../../core/network-probes.ts';
import { createProbeTargets, type Resolve } from './probe-target.ts';
import { tcpConnect } from './tcp-probe.ts';
import { fetchCertificate } from './tls-probe.ts';

export type DeviceTcpProbe = (
  deviceId: string,
  host: string,
  port: number,
  options: Parameters<NetworkProbes['tcp']>[1],
) => ReturnType<NetworkProbes['tcp']>;

export function createNetworkProbes(options: {
  allow: NetworkAllowList;
  /** Endpoints of declared services and devices: each trusted on its own port only. */
  declaredEndpoints: () => Iterable<Endpoint>;
  isLocal: (deviceId: string) => boolean;
  fromDevice: DeviceTcpProbe;
  resolve?: Resolve;
}): NetworkProbes {
  const target = createProbeTargets({
    allow: options.allow,
    declaredEndpoints: options.declaredEndpoints,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  return {
    target,
    tcp: (t, probe) => tcpConnect(t.connectTo, t.port, probe),
    tcpFrom: (deviceId, t, probe) =>
      options.isLocal(deviceId)
        ? tcpConnect(t.connectTo, t.port, probe)
        : options.fromDevice(deviceId, t.connectTo, t.port, probe),
    certificate: (t, servername, probe) => fetchCertificate(t.connectTo, t.port, servername, probe),
  };
}
