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

interface Compiled<L extends string> {
  pattern: RegExp;
  rules: ReadonlyArray<TermRule<L>>;
}

const SPECIAL = /[.*+?^${}()|[\]\\/]/g;

// Longest alternative first: a regex alternation takes the first that fits, and "no space left" must
// not stop "no space left on device" from matching whole.
function alternatives(group: string): string[] {
  return group.split('|').sort((a, b) => b.length - a.length);
}

function termSource(term: string): string {
  let source = '';
  for (const part of term.split(/(\{[^}]*\}|\*|#| )/)) {
    if (part === '') continue;
    if (part === ' ') source += String.raw`[\s_-]+`;
    else if (part === '*') source += '[a-z0-9]*';
    else if (part === '#') source += String.raw`\d+`;
    else if (part.startsWith('{')) source += `(?:${alternatives(part.slice(1, -1)).map(termSource).join('|')})`;
    else source += part.replace(SPECIAL, String.raw`\$&`);
  }
  return source;
}

/** One regex per rule list, one capture group per rule, longer terms first so they win at the same start. */
export function compileTerms<L extends string>(rules: ReadonlyArray<TermRule<L>>): Compiled<L> {
  const ordered = [...rules].sort((a, b) => b.term.length - a.term.length);
  const groups = ordered.map((rule) => `(${termSource(rule.term)})`).join('|');
  return { pattern: new RegExp(String.raw`(?<![a-z0-9])(?:${groups})(?![a-z0-9])`, 'g'), rules: ordered };
}

/** Lower-cases and straightens quotes so "Can’t" meets the term "can't". */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/[’‘`]/g, "'");
}

function findAll<L extends string>(text: string, compiled: Compiled<L>): Array<TermHit<L>> {
  const hits: Array<TermHit<L>> = [];
  for (const match of text.matchAll(compiled.pattern)) {
    const index = match.findIndex((group, i) => i > 0 && group !== undefined);
    const rule = compiled.rules[index - 1];
    if (!rule || match[0] === '') continue;
    const start = match.index;
    hits.push({
      label: rule.label,
      term: rule.term,
      text: match[0].replace(/[\s_-]+/g, ' '),
      weight: rule.weight,
      start,
      end: start + match[0].length,
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
