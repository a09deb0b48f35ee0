// What the resolvers hand back, and the one rule that turns mentions into a choice: the strongest kind of match
// decides; a mention that fits several candidates equally well decides nothing and is reported instead.
import type { EntityMatch, ExtractedContext } from '../ticket.ts';

export interface Candidate {
  name: string;
  match: EntityMatch;
  /** Lower is better; equal ranks within one mention are a tie. */
  rank: number;
}

export interface Mention {
  /** As written in the ticket. */
  text: string;
  at: number;
  /** The best candidates only (all of equal rank): one is a resolution, several an ambiguity. */
  best: Candidate[];
}

export type Ambiguity = NonNullable<ExtractedContext['ambiguous']>[number];

/** From surest to loosest; the order in which a kind of match decides. */
export const MATCH_ORDER: readonly EntityMatch[] = ['exact', 'address', 'alias', 'fuzzy', 'description'];
export const MATCH_RANK: Record<EntityMatch, number> = {
  exact: 0,
  address: 100,
  alias: 200,
  fuzzy: 300,
  description: 400,
};

/** A mention of the candidates that share its best rank (several services with one alias, one stem, ...). */
export function mentionOf(text: string, at: number, candidates: Candidate[]): Mention | undefined {
  const byName = new Map<string, Candidate>();
  for (const c of candidates) if (!byName.has(c.name) || byName.get(c.name)!.rank > c.rank) byName.set(c.name, c);
  const all = [...byName.values()];
  if (all.length === 0) return undefined;
  const top = Math.min(...all.map((c) => c.rank));
  return { text, at, best: all.filter((c) => c.rank === top) };
}

const levelOf = (mention: Mention) => MATCH_ORDER.indexOf(mention.best[0]!.match);

export interface Decision {
  /** The mentions at the deciding level, in reading order. */
  deciding: Mention[];
  ambiguous: Mention[];
  /** Every name resolved without ambiguity, in reading order. */
  names: string[];
}

/** The mentions of the strongest kind present; those of weaker kinds are only listed, never decide. */
export function decide(mentions: readonly Mention[]): Decision {
  if (mentions.length === 0) return { deciding: [], ambiguous: [], names: [] };
  const level = Math.min(...mentions.map(levelOf));
  const deciding = mentions.filter((m) => levelOf(m) === level).sort((a, b) => a.at - b.at);
  const ambiguous = deciding.filter((m) => m.best.length > 1);
  const names = [...new Set(deciding.filter((m) => m.best.length === 1).map((m) => m.best[0]!.name))];
  return { deciding, ambiguous, names };
}

export function toAmbiguity(kind: Ambiguity['kind'], mention: Mention): Ambiguity {
  return { kind, mention: mention.text, candidates: mention.best.map((c) => c.name).sort() };
}

/**
 * For devices: one is chosen only when it is the one device the ticket names, however it names it (two devices:
 * neither); an ambiguous address that could be that device is no ambiguity.
 */
export function decideSingle(mentions: readonly Mention[]): Pick<Decision, 'ambiguous' | 'names'> {
  const names = [...new Set(mentions.filter((m) => m.best.length === 1).map((m) => m.best[0]!.name))];
  const ambiguous = mentions.filter((m) => m.best.length > 1 && !m.best.some((c) => names.includes(c.name)));
  return { ambiguous, names };
}
