// The endpoints TwisterLab already talks to — a declared service's host and port, a device's SSH host and port —
// as allow-list entries bound to that port: trusting their host on every port would make any of them a port scanner.
import { formatIp, parseIp } from './ip-address.ts';
import { EMPTY_ALLOW_LIST, type AllowedEndpoint, type NetworkAllowList } from './network-guard.ts';
import type { ServiceDeclaration } from './ports.ts';

export interface Endpoint {
  host: string;
  port: number;
}

const DEFAULT_PORTS: Record<string, number> = {
  'http:': 80,
  'https:': 443,
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
  'rediss:': 6379,
};

/** Lower case, without brackets or a trailing dot; an IP address in its usual form. */
export function normaliseEndpointHost(raw: string): string {
  const host = raw
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  const literal = parseIp(host);
  return literal ? formatIp(literal) : host;
}

/** Where a declared service listens: its URL's host and port (the scheme's default when none is written). */
export function serviceEndpoint(service: Pick<ServiceDeclaration, 'kind' | 'target'>): Endpoint | undefined {
  let url: URL;
  try {
    url = new URL(service.kind === 'tcp' ? `tcp://${service.target}` : service.target);
  } catch {
    return undefined;
  }
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
  if (!url.hostname || port === undefined) return undefined;
  return { host: normaliseEndpointHost(url.hostname), port };
}

const LOOPBACK_ADDRESSES = ['127.0.0.1', '::1'];

/**
 * Allow-list entries for exactly these endpoints. An address is opened as a one-address block on its port; a name
 * on its port; `localhost` also as the addresses it always means, so `localhost:5432` and `127.0.0.1:5432` agree.
 */
export function endpointAllowList(endpoints: Iterable<Endpoint>): NetworkAllowList {
  const entries: AllowedEndpoint[] = [];
  const addAddress = (text: string, port: number) => {
    const bytes = parseIp(text);
    if (bytes) entries.push({ cidr: { bytes, prefix: bytes.length * 8 }, port });
  };
  for (const { host: raw, port } of endpoints) {
    const host = normaliseEndpointHost(raw);
    if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) continue;
    if (parseIp(host)) addAddress(host, port);
    else {
      entries.push({ host, port });
      if (host === 'localhost' || host.endsWith('.localhost'))
        for (const address of LOOPBACK_ADDRESSES) addAddress(address, port);
    }
  }
  return { ...EMPTY_ALLOW_LIST, endpoints: entries };
}
