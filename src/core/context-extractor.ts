// Finds where a ticket asks to act: URLs, hosts and IPs with their ports, and the configured services and devices
// it speaks of (by name, alias, near spelling, description or address; see entities/). Values the submitter gave
// win over what the text suggests; a mention that fits two candidates equally chooses neither and is reported.
import { findAddresses, urlPort, type Address } from './entities/addresses.ts';
import {
  buildDeviceIndex,
  deviceMentions,
  type DeviceIndex,
  type DeviceProfileView,
} from './entities/device-resolver.ts';
import { decide, decideSingle, MATCH_ORDER, toAmbiguity, type Ambiguity, type Mention } from './entities/mentions.ts';
import {
  addressMentions,
  buildServiceIndex,
  descriptionMentions,
  nameMentions,
  type ServiceIndex,
  type ServiceProfileView,
} from './entities/service-resolver.ts';
import { compounds } from './entities/words.ts';
import type { ExtractedContext, TicketContext } from './ticket.ts';

export type { DeviceProfileView, ServiceProfileView };

export interface KnownNames {
  devices: string[];
  services: string[];
  /** What the services file says of each service: aliases, description, endpoint. */
  serviceProfiles?: ServiceProfileView[];
  /** Where each device is reached, so a ticket naming its host or address names it. */
  deviceProfiles?: DeviceProfileView[];
}

type Finding = ExtractedContext['found'][number];
type Kind = Finding['kind'];
interface Located extends Finding {
  at: number;
}

/** Keeps a pathological ticket (thousands of addresses) from bloating the stored analysis. */
const MAX_PER_KIND = 25;

// Built when the known names change, not per ticket: the last list's indexes are kept with its fingerprint.
let cached: { fingerprint: string; services: ServiceIndex; devices: DeviceIndex } | undefined;

function indexesFor(known: KnownNames): { services: ServiceIndex; devices: DeviceIndex } {
  const fingerprint = JSON.stringify([
    known.services,
    known.serviceProfiles ?? [],
    known.devices,
    known.deviceProfiles ?? [],
  ]);
  if (cached?.fingerprint !== fingerprint) {
    cached = {
      fingerprint,
      services: buildServiceIndex(known.services, known.serviceProfiles ?? []),
      devices: buildDeviceIndex(known.devices, known.deviceProfiles ?? []),
    };
  }
  return cached;
}

function givenFindings(given: TicketContext): Finding[] {
  const found: Finding[] = [];
  if (given.deviceId) found.push({ kind: 'device', value: given.deviceId, source: 'given' });
  if (given.serviceName) found.push({ kind: 'service', value: given.serviceName, source: 'given' });
  if (given.url) found.push({ kind: 'url', value: given.url, source: 'given', ...urlPort(given.url) });
  return found;
}

const findingKey = (f: Finding) => `${f.kind}\u0000${f.value.toLowerCase()}\u0000${f.port ?? ''}`;

/** Given findings first, then text findings in reading order; one entry per kind, value and port, at most MAX_PER_KIND a kind. */
function mergeFindings(given: Finding[], located: Located[]): Finding[] {
  const seen = new Set(given.map((f) => `${f.kind}\u0000${f.value.toLowerCase()}`));
  const perKind = new Map<Kind, number>();
  const merged = [...given];
  for (const { at: _at, ...finding } of located.sort((a, b) => a.at - b.at)) {
    const count = perKind.get(finding.kind) ?? 0;
    if (
      seen.has(`${finding.kind}\u0000${finding.value.toLowerCase()}`) ||
      seen.has(findingKey(finding)) ||
      count >= MAX_PER_KIND
    )
      continue;
    seen.add(findingKey(finding));
    perKind.set(finding.kind, count + 1);
    merged.push(finding);
  }
  return merged;
}

/** Each resolved name once, as surely as it was recognised; a description match only when nothing surer decided. */
function resolvedFindings(
  kind: 'service' | 'device',
  mentions: readonly Mention[],
  keepDescriptions: boolean,
): Located[] {
  const best = new Map<string, Located>();
  for (const mention of mentions) {
    if (mention.best.length !== 1) continue;
    const { name, match } = mention.best[0]!;
    if (match === 'description' && !keepDescriptions) continue;
    const known = best.get(name);
    if (!known || MATCH_ORDER.indexOf(match) < MATCH_ORDER.indexOf(known.match!))
      best.set(name, { kind, value: name, source: 'text', match, at: mention.at });
  }
  return [...best.values()];
}

export function extractContext(text: string, given: TicketContext, known: KnownNames): ExtractedContext {
  const indexes = indexesFor(known);
  const words = compounds(text);
  const addresses: Address[] = findAddresses(text);
  const services = [
    ...nameMentions(indexes.services, text, words),
    ...addressMentions(indexes.services, addresses),
    ...descriptionMentions(indexes.services, words),
  ];
  const devices = deviceMentions(indexes.devices, words, addresses);
  const serviceDecision = decide(services);
  const deviceDecision = decideSingle(devices);
  // Several services named alike: the first is the one the ticket is about. Several devices: none is chosen.
  const serviceName =
    given.serviceName ?? (serviceDecision.ambiguous.length === 0 ? serviceDecision.names[0] : undefined);
  const deviceId =
    given.deviceId ??
    (deviceDecision.ambiguous.length === 0 && deviceDecision.names.length === 1 ? deviceDecision.names[0] : undefined);
  const url = given.url ?? addresses.find((f) => f.kind === 'url')?.value;
  const ambiguous: Ambiguity[] = [
    ...(given.serviceName ? [] : serviceDecision.ambiguous.map((m) => toAmbiguity('service', m))),
    ...(given.deviceId ? [] : deviceDecision.ambiguous.map((m) => toAmbiguity('device', m))),
  ];
  const located: Located[] = [
    ...addresses.map(({ at, ...a }) => ({ ...a, source: 'text' as const, at })),
    ...resolvedFindings('device', devices, false),
    ...resolvedFindings('service', services, serviceDecision.deciding[0]?.best[0]?.match === 'description'),
  ];
  return {
    ...(deviceId !== undefined ? { deviceId } : {}),
    ...(serviceName !== undefined ? { serviceName } : {}),
    ...(url !== undefined ? { url } : {}),
    found: mergeFindings(givenFindings(given), located),
    ...(ambiguous.length > 0 ? { ambiguous } : {}),
  };
}
