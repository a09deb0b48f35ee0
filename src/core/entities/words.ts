// The words of a ticket as the entity resolver reads them: compounds ("order-api", "db01.internal") split into
// lower-case parts, whether plain spaces separate each from the last, and a light stem so "prices" meets "pricing".
// One pass over the text, no regular expression built from it.

export interface Compound {
  /** Offset of the first character in the text. */
  at: number;
  /** As written. */
  text: string;
  /** Lower-case parts between "-", "_" and "."; "order-api" → ["order", "api"]. */
  parts: string[];
  /** Only spaces or tabs lie between the previous compound and this one, so the two may form one name. */
  joinsPrevious: boolean;
}

const SEPARATORS = new Set(['-', '_', '.']);
/** A compound longer than this is not a name anyone types (base64, hashes); it is skipped, not split. */
const MAX_COMPOUND = 128;

function isWordChar(c: string): boolean {
  const code = c.charCodeAt(0);
  if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57)) return true;
  return code > 127 && /[\p{L}\p{N}]/u.test(c);
}

/** Compounds in reading order: runs of letters and digits joined by single "-", "_" or "." between them. */
export function compounds(text: string): Compound[] {
  const found: Compound[] = [];
  let i = 0;
  let gapIsBlank = false;
  while (i < text.length) {
    if (!isWordChar(text[i]!)) {
      if (text[i] !== ' ' && text[i] !== '\t') gapIsBlank = false;
      i += 1;
      continue;
    }
    const start = i;
    while (
      i < text.length &&
      (isWordChar(text[i]!) ||
        (SEPARATORS.has(text[i]!) && i + 1 < text.length && isWordChar(text[i + 1]!) && isWordChar(text[i - 1]!)))
    )
      i += 1;
    const written = text.slice(start, i);
    if (written.length <= MAX_COMPOUND) {
      const parts = written.toLowerCase().split(/[-_.]/);
      found.push({ at: start, text: written, parts, joinsPrevious: gapIsBlank && found.length > 0 });
    }
    gapIsBlank = true;
  }
  return found;
}

/** Lower-case words of free text (a description): every part of every compound. */
export function words(text: string): string[] {
  return compounds(text).flatMap((c) => c.parts);
}

/** Names and aliases compare by their parts: "Order_API", "order-api" and "order api" are one key. */
export function nameKey(name: string): string {
  return words(name).join(' ');
}

export const isAlphabetic = (word: string): boolean => /^\p{L}+$/u.test(word);

/**
 * Strips an English plural or verb ending, then a final "e" and a doubled last letter: prices, pricing → pric;
 * bills, billing → bil; invoices, invoicing → invoic. Meant only to compare two words, never shown.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length < 4) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('ing') && w.length >= 6) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length >= 5) w = w.slice(0, -2);
  else if (/(?:ss|x|z|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  if (w.length > 3 && w.at(-1) === w.at(-2) && !'aeiou'.includes(w.at(-1)!)) w = w.slice(0, -1);
  return w;
}

/**
 * Words that never name anything by themselves, matched neither loosely nor from a description; people words
 * among them say who is affected, not what is broken ("the sales team cannot print" is no CRM ticket).
 */
export const STOP_WORDS = new Set(
  `
a about above after again against all also am an and any are as at be because been before being below between
both but by can cannot could did do does doing done down during each few for from further had has have having he
her here hers him his how i if in into is it its itself just me more most my no nobody nor not now of off on once
only or other our ours out over own same she should so some such than that the their them then there these they
this those through to too under until up very was we were what when where which while who whom why will with
would you your yours yet still again anyone everyone someone something nothing anything everything since
please thanks thank hello hi help need needs needed want wants get gets got getting make makes made let lets
today yesterday tomorrow morning afternoon evening night week weeks day days hour hours minute minutes time
times ago again already always never sometimes soon now still really quite since
team teams staff people person customer customers user users colleague colleagues everybody somebody anybody
`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Everyday support words: a description may use them, but they never name a service alone, nor by a near
 * spelling ("server" is not the service "servers-api" misspelt).
 */
export const GENERIC_WORDS = new Set(
  `
app apps application applications screen screens site sites page pages web website portal service services
server servers system systems tool tools data database user users login account accounts error errors issue
issues problem problems ticket tickets work works working worked broken down slow slowly fast open opens opened
load loads loading save saves saved saving refuse refuses refused fail fails failed failing crash crashes
frozen freeze freezes stuck blank team teams people everyone customer customers staff office file files
network internet connection email mail phone computer laptop printer restart update updates updated new old
look looks looked looking see sees saw seen seeing show shows showed shown showing keep keeps kept keeping take
takes took taken go goes went gone going come comes came coming say says said tell tells told try tries tried
trying seem seems seemed find finds found use uses used using give gives gave given put puts wrong right ok okay
odd weird thing things way place part bit lot first last
`
    .split(/\s+/)
    .filter(Boolean),
);
