// The network probes of the runtime: the egress rule, TCP and TLS from this machine, TCP from SSH devices.
import type { NetworkAllowList } from '../../core/network-guard.ts';
import type { NetworkProbes } from '../../core/network-probes.ts';
import { createProbeTargets, type Resolve } from './probe-target.ts';
import { tcpConnect } from './tcp-probe.ts';
import { fetchCertificate } from './tls-probe.ts';

export type DeviceTcpProbe = (deviceId: string, host: string, port: number, options: Parameters<NetworkProbes['tcp']>[2]) => ReturnType<NetworkProbes['tcp']>;

export function createNetworkProbes(options: {
  allow: NetworkAllowList;
  /** Hosts of declared services and devices: trusted by name. */
  declaredHosts: () => Iterable<string>;
  isLocal: (deviceId: string) => boolean;
  fromDevice: DeviceTcpProbe;
  resolve?: Resolve;
}): NetworkProbes {
  const target = createProbeTargets({ allow: options.allow, declaredHosts: options.declaredHosts, ...(options.resolve ? { resolve: options.resolve } : {}) });
  return {
    target,
    tcp: (t, port, probe) => tcpConnect(t.connectTo, port, probe),
    tcpFrom: (deviceId, t, port, probe) => (options.isLocal(deviceId) ? tcpConnect(t.connectTo, port, probe) : options.fromDevice(deviceId, t.connectTo, port, probe)),
    certificate: (t, port, servername, probe) => fetchCertificate(t.connectTo, port, servername, probe),
  };
}
