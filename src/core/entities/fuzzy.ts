// Near spellings of known words: the same stem ("prices" ~ "pricing") or a small edit distance ("pricng"), found
// through indexes built once per list of names, so a ticket costs a few map look-ups per word, not a scan.
import { GENERIC_WORDS, isAlphabetic, stem, STOP_WORDS } from './words.ts';

/** How far a typo may go: none under 5 letters (stems only from 4), one up to 7, two from 8 (the shorter word counts). */
export function allowedEdits(length: number): number {
  if (length >= 8) return 2;
  return length >= 5 ? 1 : 0;
}

/** Words too long for anyone to type as a name are not compared loosely (keeps the deletion sets small). */
const MAX_FUZZY_LENGTH = 32;

/** Optimal string alignment distance (a swap of two neighbours is one edit), or `limit + 1` once it is beyond limit. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, before[j - 2]! + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return Math.min(previous[b.length]!, limit + 1);
}

function deletions(word: string, depth: number, into: Set<string>): Set<string> {
  into.add(word);
  if (depth === 0) return into;
  for (let i = 0; i < word.length; i += 1) {
    const shorter = word.slice(0, i) + word.slice(i + 1);
    if (!into.has(shorter)) deletions(shorter, depth - 1, into);
  }
  return into;
}

/** A word a ticket may spell loosely: letters only (web01 is not web02 misspelt), not a stop or everyday word. */
export function mayBeLoose(word: string): boolean {
  return (
    word.length >= 4 &&
    word.length <= MAX_FUZZY_LENGTH &&
    isAlphabetic(word) &&
    !STOP_WORDS.has(word) &&
    !GENERIC_WORDS.has(word)
  );
}

export interface NearWord {
  word: string;
  /** 1 for the same stem or one edit, 2 for two edits. */
  distance: number;
}

export class FuzzyIndex {
  private readonly byStem = new Map<string, Set<string>>();
  private readonly byDeletion = new Map<string, Set<string>>();

  constructor(vocabulary: Iterable<string>) {
    const add = (map: Map<string, Set<string>>, key: string, word: string) => {
      const set = map.get(key) ?? new Set<string>();
      set.add(word);
      map.set(key, set);
    };
    for (const word of vocabulary) {
      if (!mayBeLoose(word)) continue;
      add(this.byStem, stem(word), word);
      for (const variant of deletions(word, allowedEdits(word.length), new Set())) add(this.byDeletion, variant, word);
    }
  }

  /** Known words near this one (never the word itself), each with its distance. */
  near(word: string): NearWord[] {
    if (!mayBeLoose(word)) return [];
    const best = new Map<string, number>();
    for (const known of this.byStem.get(stem(word)) ?? []) best.set(known, 1);
    for (const variant of deletions(word, allowedEdits(word.length), new Set())) {
      for (const known of this.byDeletion.get(variant) ?? []) {
        // A typo rarely hits the first letter; everyday words one letter from a name mostly do ("filling", "billing").
        if (known[0] !== word[0]) continue;
        const limit = allowedEdits(Math.min(word.length, known.length));
        const distance = limit > 0 ? editDistance(word, known, limit) : limit + 1;
        if (distance <= limit && distance < (best.get(known) ?? Infinity)) best.set(known, distance);
      }
    }
    best.delete(word);
    return [...best].map(([known, distance]) => ({ word: known, distance }));
  }
}
