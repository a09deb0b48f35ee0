// Scores the words a cue has not already claimed: lexicon valence, flipped by a preceding negator
// ("not happy", "never helpful"), scaled by intensifiers ("very slow"), and weighted around "but".
import { MODIFIERS, NEGATORS, PHRASES, bare, wordValence, type Phrase } from './lexicon.ts';

export interface WordEvidence {
  cue: string;
  kind: 'word' | 'negated';
  weight: number;
  start: number;
}

export interface WordScore {
  evidence: WordEvidence[];
  /** A negative word was intensified ("extremely slow"): one of the signs of a strong complaint. */
  intensified: boolean;
}

interface Token {
  text: string;
  start: number;
  clauseBreak: boolean;
  sentenceBreak: boolean;
}

const TOKEN = /[a-z0-9]+(?:['-][a-z0-9]+)*/g;
const CLAUSE_BREAK = /[,;:.!?\n()]/;
const SENTENCE_BREAK = /[.!?\n]/;
const NEGATION_REACH = 3;
const MODIFIER_REACH = 2;
// The clause after "but" carries the writer's point; the one before it is mostly preamble.
const BEFORE_BUT = 0.5;
const AFTER_BUT = 1.5;

function tokenize(lowered: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of lowered.matchAll(TOKEN)) {
    const gap = lowered.slice(last, match.index);
    tokens.push({
      text: match[0],
      start: match.index,
      clauseBreak: CLAUSE_BREAK.test(gap),
      sentenceBreak: SENTENCE_BREAK.test(gap),
    });
    last = match.index + match[0].length;
  }
  return tokens;
}

function matchPhrase(tokens: Token[], at: number, claimed: Uint8Array): Phrase | undefined {
  const candidates = PHRASES.get(bare(tokens[at]!.text));
  if (!candidates) return undefined;
  return candidates.find((phrase) =>
    phrase.tokens.every((word, k) => {
      const token = tokens[at + k];
      return (
        token !== undefined && !claimed[token.start] && (k === 0 || !token.clauseBreak) && bare(token.text) === word
      );
    }),
  );
}

class Walk {
  readonly evidence: WordEvidence[] = [];
  intensified = false;
  private negator: string | undefined;
  private negationLeft = 0;
  private multiplier = 1;
  private modifierLeft = 0;
  private clauseFactor = 1;
  private sentenceStart = 0;

  boundary(token: Token): void {
    if (token.sentenceBreak) {
      this.clauseFactor = 1;
      this.sentenceStart = this.evidence.length;
    }
    if (token.clauseBreak) this.negationLeft = this.modifierLeft = 0;
  }

  but(): void {
    for (const item of this.evidence.slice(this.sentenceStart)) item.weight *= BEFORE_BUT;
    this.clauseFactor = AFTER_BUT;
    this.negationLeft = this.modifierLeft = 0;
  }

  negate(word: string): void {
    this.negator = word;
    this.negationLeft = NEGATION_REACH;
  }

  modify(factor: number): void {
    this.multiplier = factor;
    this.modifierLeft = MODIFIER_REACH;
  }

  neutral(): void {
    this.negationLeft -= 1;
    this.modifierLeft -= 1;
  }

  valence(cue: string, valence: number, start: number): void {
    const scale = this.modifierLeft > 0 ? this.multiplier : 1;
    const negated = this.negationLeft > 0;
    // A negated positive reads as a complaint; a negated negative ("not terrible") only as faint praise.
    const base = negated ? (valence > 0 ? -0.75 * valence : -0.4 * valence) : valence;
    const weight = base * scale * this.clauseFactor;
    if (scale > 1 && weight < 0) this.intensified = true;
    this.evidence.push({
      cue: negated ? `${this.negator} ${cue}` : cue,
      kind: negated ? 'negated' : 'word',
      weight,
      start,
    });
    this.negationLeft = this.modifierLeft = 0;
  }
}

/** `claimed[i]` is 1 where a support cue already matched: those words are not scored twice. */
export function scoreWords(lowered: string, claimed: Uint8Array): WordScore {
  const tokens = tokenize(lowered);
  const walk = new Walk();
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    walk.boundary(token);
    if (claimed[token.start]) {
      walk.neutral();
      continue;
    }
    const phrase = matchPhrase(tokens, i, claimed);
    if (phrase) {
      const cue = tokens
        .slice(i, i + phrase.tokens.length)
        .map((t) => t.text)
        .join(' ');
      if (phrase.valence !== 0) walk.valence(cue, phrase.valence, token.start);
      i += phrase.tokens.length - 1;
    } else if (token.text === 'but' || token.text === 'however') walk.but();
    else if (NEGATORS.has(token.text)) walk.negate(token.text);
    else if (MODIFIERS.has(token.text)) walk.modify(MODIFIERS.get(token.text)!);
    else {
      const valence = wordValence(token.text, tokens[i - 1]?.text);
      if (valence === undefined) walk.neutral();
      else walk.valence(token.text, valence, token.start);
    }
  }
  return { evidence: walk.evidence, intensified: walk.intensified };
}
