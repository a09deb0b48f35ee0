// Finds weighted terms in text: whole words only, case-insensitive, longest match wins where terms overlap.
// Term syntax: a space matches any run of spaces, `_` or `-`; `{a|b}` is an alternative; `*` continues a word
// (`deadlock*`); `#` is a number. Terms compile to plain alternations of literals, so matching is linear.

export interface TermRule<L extends string> {
  label: L;
  term: string;
  weight: number;
}

export interface TermHit<L extends string> {
  label: L;
  /** The rule's term as written, to count repeats of one rule once. */
  term: string;
  /** The text that matched, lower-cased with its spacing collapsed. */
  text: string;
  weight: number;
  start: number;
  end: number;
}

interface CompiledRule<L extends string> extends TermRule<L> {
  /** The whole term, anchored: does this rule produce exactly the text the list's pattern matched? */
  exact: RegExp;
}

interface Compiled<L extends string> {
  /** Every rule's term in one alternation, without capture groups: where the hits are (the ReDoS test checks it). */
  pattern: RegExp;
  /** The rules a hit starting with a given character may come from, in the alternation's order. */
  byFirst: ReadonlyMap<string, ReadonlyArray<CompiledRule<L>>>;
  /** The rules whose first character is not a fixed one (also under every key of `byFirst`). */
  anyStart: ReadonlyArray<CompiledRule<L>>;
}

const SPECIAL = /[.*+?^${}()|[\]\\/]/g;

// Longest alternative first: a regex alternation takes the first that fits, and "no space left" must
// not stop "no space left on device" from matching whole.
function alternatives(group: string): string[] {
  return group.split('|').sort((a, b) => b.length - a.length);
}

function termParts(term: string): string[] {
  return term.split(/(\{[^}]*\}|\*|#| )/).filter((part) => part !== '');
}

/** A term as a regex source (no anchors, no capture groups). */
export function termSource(term: string): string {
  let source = '';
  for (const part of termParts(term)) {
    if (part === ' ') source += String.raw`[\s_-]+`;
    else if (part === '*') source += '[a-z0-9]*';
    else if (part === '#') source += String.raw`\d+`;
    else if (part.startsWith('{')) source += `(?:${alternatives(part.slice(1, -1)).map(termSource).join('|')})`;
    else source += part.replace(SPECIAL, String.raw`\$&`);
  }
  return source;
}

/** The characters a match of the term can start with, or undefined when that is not a fixed set. */
function firstCharacters(term: string): string[] | undefined {
  const first = termParts(term)[0];
  if (first === undefined || first === ' ' || first === '*') return undefined;
  if (first === '#') return [...'0123456789'];
  if (!first.startsWith('{')) return [first[0]!];
  const sets = first
    .slice(1, -1)
    .split('|')
    .map((alternative) => firstCharacters(alternative));
  return sets.some((set) => set === undefined) ? undefined : [...new Set(sets.flat() as string[])];
}

// The one place the classifier builds a RegExp from a string, so the ReDoS test finds every one it runs.
function regex(source: string, flags = ''): RegExp {
  return new RegExp(source, flags);
}

/**
 * One regex per rule list, longer terms first so they win at the same start. A hit's rule is the first in that
 * order that produces exactly the matched text, which is the alternative the regex took: the rules before it did
 * not match there. Found that way rather than by a capture group per rule, which made every match allocate and scan
 * hundreds of slots (three times slower on a short ticket).
 */
export function compileTerms<L extends string>(rules: ReadonlyArray<TermRule<L>>): Compiled<L> {
  const ordered = [...rules].sort((a, b) => b.term.length - a.term.length);
  const sources = ordered.map((rule) => termSource(rule.term));
  const compiled = ordered.map((rule, order): CompiledRule<L> => ({
    ...rule,
    exact: regex(`^(?:${sources[order]})$`),
  }));
  const byFirst = new Map<string, Array<CompiledRule<L>>>();
  const anyStart: Array<CompiledRule<L>> = [];
  for (const rule of compiled) {
    const firsts = firstCharacters(rule.term);
    if (firsts === undefined) {
      anyStart.push(rule);
      for (const list of byFirst.values()) list.push(rule);
    } else for (const first of firsts) byFirst.set(first, [...(byFirst.get(first) ?? anyStart), rule]);
  }
  const groups = sources.map((source) => `(?:${source})`).join('|');
  return { pattern: regex(String.raw`(?<![a-z0-9])(?:${groups})(?![a-z0-9])`, 'g'), byFirst, anyStart };
}

/** Lower-cases and straightens quotes so "Can’t" meets the term "can't". */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/[’‘`]/g, "'");
}

function findAll<L extends string>(text: string, compiled: Compiled<L>): Array<TermHit<L>> {
  const hits: Array<TermHit<L>> = [];
  const pattern = compiled.pattern;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const matched = match[0];
    if (matched === '') {
      pattern.lastIndex += 1;
      continue;
    }
    const candidates = compiled.byFirst.get(matched[0]!) ?? compiled.anyStart;
    const rule = candidates.find((candidate) => candidate.exact.test(matched));
    if (rule === undefined) continue;
    hits.push({
      label: rule.label,
      term: rule.term,
      text: matched.replace(/[\s_-]+/g, ' '),
      weight: rule.weight,
      start: match.index,
      end: match.index + matched.length,
    });
  }
  return hits;
}

/** Every hit from every list, keeping the longest where hits overlap (then the heavier, then the earlier). */
export function matchTerms<L extends string>(text: string, lists: ReadonlyArray<Compiled<L>>): Array<TermHit<L>> {
  const candidates = lists.flatMap((compiled) => findAll(text, compiled));
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || b.weight - a.weight || a.start - b.start);
  const claimed = new Uint8Array(text.length);
  const kept: Array<TermHit<L>> = [];
  for (const hit of candidates) {
    if (claimed.subarray(hit.start, hit.end).includes(1)) continue;
    claimed.fill(1, hit.start, hit.end);
    kept.push(hit);
  }
  return kept.sort((a, b) => a.start - b.start);
}
