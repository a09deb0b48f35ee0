// Devices a ticket speaks of: by id, by host name (whole or its first label: "db01" for db01.example.com) or by
// address. Several devices behind one address are told apart by a written port (their SSH port), else ambiguous.
// A loopback address names this machine, not a device reached through it.
import type { Address } from './addresses.ts';
import { MATCH_RANK, mentionOf, type Mention } from './mentions.ts';
import { GENERIC_WORDS, STOP_WORDS, type Compound } from './words.ts';

export interface DeviceProfileView {
  id: string;
  host?: string;
  port?: number;
}

export interface DeviceIndex {
  ids: Map<string, string>;
  /** Host, IP and a host name's first label → the devices there. */
  hosts: Map<string, DeviceProfileView[]>;
}

const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(':');
/** This machine, to whoever writes the ticket: never an SSH device that happens to be reached through it. */
const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

export function buildDeviceIndex(ids: readonly string[], profiles: readonly DeviceProfileView[]): DeviceIndex {
  const index: DeviceIndex = { ids: new Map(), hosts: new Map() };
  const add = (key: string, device: DeviceProfileView) => {
    const list = index.hosts.get(key) ?? [];
    if (!list.some((d) => d.id === device.id)) list.push(device);
    index.hosts.set(key, list);
  };
  for (const id of [...ids, ...profiles.map((p) => p.id)])
    if (!index.ids.has(id.toLowerCase())) index.ids.set(id.toLowerCase(), id);
  for (const device of profiles) {
    const host = device.host?.toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (!host || isLoopback(host)) continue;
    add(host, device);
    const label = host.split('.')[0]!;
    // "db01" for db01.example.com; not "web" for web.example.com, an everyday word before it is a host.
    if (!isIp(host) && label !== host && label.length >= 3 && !STOP_WORDS.has(label) && !GENERIC_WORDS.has(label))
      add(label, device);
  }
  return index;
}

function addressMention(
  index: DeviceIndex,
  written: string,
  at: number,
  host: string,
  port?: number,
): Mention | undefined {
  let devices = index.hosts.get(host.toLowerCase()) ?? [];
  // One machine answering on several ports (tests, containers): the written port picks the device.
  if (devices.length > 1 && port !== undefined) {
    const onPort = devices.filter((d) => d.port === port);
    if (onPort.length > 0) devices = onPort;
  }
  return mentionOf(
    written,
    at,
    devices.map((d) => ({ name: d.id, match: 'address', rank: MATCH_RANK.address })),
  );
}

// A device whose id is an everyday word ("local", "main", "backup") is named only next to a word that makes it a
// machine: "device local", "the local host", "host main". "A local technician" or "the main office" name none.
const EVERYDAY_IDS = new Set([
  'local',
  'main',
  'default',
  'primary',
  'secondary',
  'home',
  'office',
  'test',
  'backup',
  'remote',
  'master',
  'shared',
  'public',
  'private',
]);
const MACHINE_WORDS = new Set(['device', 'host', 'machine', 'server', 'box', 'node']);
const everyday = (id: string) => EVERYDAY_IDS.has(id) || STOP_WORDS.has(id) || GENERIC_WORDS.has(id);
const nextToMachineWord = (list: readonly Compound[], k: number) =>
  [list[k - 1], list[k + 1]].some((c) => c !== undefined && MACHINE_WORDS.has(c.text.toLowerCase()));

/** Mentions in reading order; an address inside a URL is a web page's, not a device's. */
export function deviceMentions(
  index: DeviceIndex,
  list: readonly Compound[],
  addresses: readonly Address[],
): Mention[] {
  if (index.ids.size === 0) return [];
  const mentions = new Map<number, Mention>();
  for (const address of addresses) {
    if (address.kind === 'url') continue;
    const port = address.portStated ? address.port : undefined;
    const written =
      port === undefined
        ? address.value
        : `${address.value.includes(':') ? `[${address.value}]` : address.value}:${port}`;
    const mention = addressMention(index, written, address.at, address.value, port);
    if (mention) mentions.set(address.at, mention);
  }
  const urls = addresses.filter((a) => a.kind === 'url').map((a) => [a.at, a.at + a.value.length] as const);
  for (const [k, compound] of list.entries()) {
    if (mentions.has(compound.at) || urls.some(([from, to]) => compound.at >= from && compound.at < to)) continue;
    const lower = compound.text.toLowerCase();
    const id = everyday(lower) && !nextToMachineWord(list, k) ? undefined : index.ids.get(lower);
    const mention =
      id !== undefined
        ? mentionOf(compound.text, compound.at, [{ name: id, match: 'exact', rank: MATCH_RANK.exact }])
        : addressMention(index, compound.text, compound.at, lower);
    if (mention) mentions.set(compound.at, mention);
  }
  return [...mentions.values()].sort((a, b) => a.at - b.at);
}
