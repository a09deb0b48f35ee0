// Services a ticket speaks of, though rarely by their exact name: by name, by an alias ("crm"), by a near spelling
// ("prices" for pricing), by the words of their description ("inventory screens"), or by their address.
// The index is built once per list of services; resolving a ticket is a pass over its words.
import type { Address } from './addresses.ts';
import { FuzzyIndex, type NearWord } from './fuzzy.ts';
import { MATCH_RANK, mentionOf, type Candidate, type Mention } from './mentions.ts';
import { GENERIC_WORDS, nameKey, stem, STOP_WORDS, words, type Compound } from './words.ts';

export interface ServiceProfileView {
  name: string;
  aliases?: string[];
  description?: string;
  host?: string;
  port?: number;
  scheme?: string;
}

interface Key {
  service: string;
  how: 'exact' | 'alias';
}

export interface ServiceIndex {
  /** Name and alias keys ("order api", and "orderapi" for a name of several words). */
  keys: Map<string, Key[]>;
  maxParts: number;
  fuzzy: FuzzyIndex;
  /** Stem of a description's content word → the services whose description has it, and whether it is an everyday word. */
  described: Map<string, Map<string, boolean>>;
  /** `host:port` → the services declared there. */
  endpoints: Map<string, string[]>;
}

/** Longer names are not looked for across words (a name of five words is still found written as one compound). */
const MAX_PARTS = 4;
/** Near spellings tried per window: keeps a window of many loose words from multiplying out. */
const MAX_COMBINATIONS = 32;
const SCHEME_PORTS: Record<string, number> = {
  http: 80,
  https: 443,
  postgres: 5432,
  postgresql: 5432,
  redis: 6379,
  rediss: 6379,
};

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function endpointKey(host: string, port: number): string {
  return `${host.toLowerCase().replace(/^\[(.*)\]$/, '$1')}:${port}`;
}

export function buildServiceIndex(names: readonly string[], profiles: readonly ServiceProfileView[]): ServiceIndex {
  const keys = new Map<string, Key[]>();
  const described = new Map<string, Map<string, boolean>>();
  const endpoints = new Map<string, string[]>();
  const addKey = (text: string, key: Key) => {
    const parts = nameKey(text).split(' ').filter(Boolean);
    if (parts.length === 0) return;
    push(keys, parts.join(' '), key);
    if (parts.length > 1) push(keys, parts.join(''), key);
  };
  const all = [
    ...profiles,
    ...names.filter((n) => !profiles.some((p) => p.name === n)).map((name) => ({ name }) as ServiceProfileView),
  ];
  for (const profile of all) {
    addKey(profile.name, { service: profile.name, how: 'exact' });
    for (const alias of profile.aliases ?? []) addKey(alias, { service: profile.name, how: 'alias' });
    for (const word of words(profile.description ?? '')) {
      if (word.length < 3 || STOP_WORDS.has(word) || !/\p{L}/u.test(word)) continue;
      const services = described.get(stem(word)) ?? new Map<string, boolean>();
      services.set(profile.name, (services.get(profile.name) ?? true) && GENERIC_WORDS.has(word));
      described.set(stem(word), services);
    }
    const port = profile.port ?? (profile.scheme ? SCHEME_PORTS[profile.scheme] : undefined);
    if (profile.host && port) push(endpoints, endpointKey(profile.host, port), profile.name);
  }
  // Parts only: a name written as one word ("orderapi") is matched exactly, never loosely ("inventory" ≠ "inventory-ui").
  const vocabulary = new Set(
    all
      .flatMap((p) => [p.name, ...(p.aliases ?? [])])
      .flatMap((n) => nameKey(n).split(' '))
      .filter(Boolean),
  );
  const maxParts = Math.min(MAX_PARTS, Math.max(1, ...[...keys.keys()].map((k) => k.split(' ').length)));
  return { keys, maxParts, fuzzy: new FuzzyIndex(vocabulary), described, endpoints };
}

interface Word {
  word: string;
  compound: number;
  first: boolean;
  last: boolean;
}

function flatten(list: readonly Compound[]): Word[] {
  return list.flatMap((c, compound) =>
    c.parts.map((word, i) => ({ word, compound, first: i === 0, last: i === c.parts.length - 1 })),
  );
}

/** Keys spelt by these words: apart ("order api"), or run together when there are several ("web shop" → "webshop"). */
function keysSpelt(index: ServiceIndex, spelt: readonly string[]): Key[] {
  const apart = index.keys.get(spelt.join(' ')) ?? [];
  return spelt.length > 1 ? [...apart, ...(index.keys.get(spelt.join('')) ?? [])] : apart;
}

/** The keys a run of words may spell, each word as written or as a near spelling of a known word. */
function lookupWindow(index: ServiceIndex, run: readonly Word[], near: (word: string) => NearWord[]): Candidate[] {
  const loose = run.map(({ word }) => near(word));
  // Most windows have no near spellings at all: one look-up of the words as written.
  if (loose.every((l) => l.length === 0)) {
    return keysSpelt(
      index,
      run.map((w) => w.word),
    ).map((key) => ({ name: key.service, match: key.how, rank: MATCH_RANK[key.how] }));
  }
  let combos: Array<{ words: string[]; distance: number }> = [{ words: [], distance: 0 }];
  for (const [i, { word }] of run.entries()) {
    const options = [{ word, distance: 0 }, ...loose[i]!];
    combos = combos
      .flatMap((c) => options.map((o) => ({ words: [...c.words, o.word], distance: c.distance + o.distance })))
      .slice(0, MAX_COMBINATIONS);
  }
  return combos.flatMap(({ words: spelt, distance }) =>
    keysSpelt(index, spelt).map((key) => ({
      name: key.service,
      match: distance > 0 ? ('fuzzy' as const) : key.how,
      rank: distance > 0 ? MATCH_RANK.fuzzy + distance : MATCH_RANK[key.how],
    })),
  );
}

/** The longest run of whole compounds, separated by spaces only, from `start` that spells a known name. */
function longestAt(
  index: ServiceIndex,
  list: readonly Compound[],
  flat: readonly Word[],
  start: number,
  near: (w: string) => NearWord[],
): { end: number; candidates: Candidate[] } | undefined {
  for (let end = Math.min(flat.length, start + index.maxParts) - 1; end >= start; end -= 1) {
    if (!flat[end]!.last) continue;
    let joined = true;
    for (let k = start + 1; k <= end; k += 1)
      if (flat[k]!.first && !list[flat[k]!.compound]!.joinsPrevious) joined = false;
    if (!joined) continue;
    const candidates = lookupWindow(index, flat.slice(start, end + 1), near);
    if (candidates.length > 0) return { end, candidates };
  }
  return undefined;
}

/** Mentions by name, alias or near spelling, in reading order; a name inside a longer compound is not one. */
export function nameMentions(index: ServiceIndex, text: string, list: readonly Compound[]): Mention[] {
  const flat = flatten(list);
  const cache = new Map<string, NearWord[]>();
  const near = (word: string) => {
    if (!cache.has(word)) cache.set(word, index.fuzzy.near(word));
    return cache.get(word)!;
  };
  const mentions: Mention[] = [];
  for (let i = 0; i < flat.length;) {
    const found = flat[i]!.first ? longestAt(index, list, flat, i, near) : undefined;
    if (!found) {
      i += 1;
      continue;
    }
    const first = list[flat[i]!.compound]!;
    const last = list[flat[found.end]!.compound]!;
    const mention = mentionOf(text.slice(first.at, last.at + last.text.length), first.at, found.candidates);
    if (mention) mentions.push(mention);
    i = found.end + 1;
  }
  return mentions;
}

/** A written host:port or URL that is a declared service's endpoint. */
export function addressMentions(index: ServiceIndex, addresses: readonly Address[]): Mention[] {
  const mentions: Mention[] = [];
  for (const address of addresses) {
    if (address.port === undefined || (address.kind !== 'url' && !address.portStated)) continue;
    const host = address.kind === 'url' ? new URL(address.value).hostname : address.value;
    const services = index.endpoints.get(endpointKey(host, address.port)) ?? [];
    const written =
      address.kind === 'url'
        ? address.value
        : `${address.value.includes(':') ? `[${address.value}]` : address.value}:${address.port}`;
    const mention = mentionOf(
      written,
      address.at,
      services.map((name) => ({ name, match: 'address', rank: MATCH_RANK.address })),
    );
    if (mention) mentions.push(mention);
  }
  return mentions;
}

/**
 * A service whose description shares at least two distinct content words with the ticket, one of them not an
 * everyday word ("inventory screens", not "app screens"); more shared words win, a distinctive one counting
 * twice an everyday one. One word alone never does:
 * a word that alone identifies a service belongs in its aliases.
 */
export function descriptionMentions(index: ServiceIndex, list: readonly Compound[]): Mention[] {
  if (index.described.size === 0) return [];
  const shared = new Map<string, Map<string, { word: string; at: number; generic: boolean }>>();
  for (const compound of list) {
    for (const word of compound.parts) {
      if (STOP_WORDS.has(word)) continue;
      const s = stem(word);
      for (const [service, generic] of index.described.get(s) ?? []) {
        const stems = shared.get(service) ?? new Map();
        if (!stems.has(s)) stems.set(s, { word, at: compound.at, generic });
        shared.set(service, stems);
      }
    }
  }
  const fitting = [...shared].filter(([, stems]) => stems.size >= 2 && [...stems.values()].some((w) => !w.generic));
  if (fitting.length === 0) return [];
  // A distinctive word counts twice an everyday one: "inventory screens" is inventory's before it is any screen's.
  const score = (stems: Map<string, { generic: boolean }>) =>
    [...stems.values()].reduce((sum, w) => sum + (w.generic ? 1 : 2), 0);
  const most = Math.max(...fitting.map(([, stems]) => score(stems)));
  const best = fitting.filter(([, stems]) => score(stems) === most);
  const used = [...new Map(best.flatMap(([, stems]) => [...stems.values()]).map((w) => [w.word, w])).values()].sort(
    (a, b) => a.at - b.at,
  );
  const mention = mentionOf(
    used.map((w) => w.word).join(' '),
    used[0]!.at,
    best.map(([name]) => ({ name, match: 'description', rank: MATCH_RANK.description })),
  );
  return mention ? [mention] : [];
}
