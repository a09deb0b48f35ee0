// Secrets that no token shape gives away, found by what stands around them: `KEY=value`, `key: value`,
// JSON `"key": "value"`, HTTP auth headers, command-line flags, private-key blocks and ticket prose
// ("my password is …", "le mot de passe est …"). Every pattern is bounded and starts only at a word boundary
// it cannot overlap, so scanning stays linear on hostile text.
import {
  CONNECTORS,
  isAssignedSecret,
  isBareSecret,
  isSecretKey,
  isStatedSecret,
  LABEL_PHRASES,
} from './secret-words.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[ \\t]{1,3}');
const alternation = (words: readonly string[]) =>
  [...words]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|');

// A value: quoted (escapes allowed) or a run up to whitespace, a quote or a separator. Read after the match (a
// look-ahead or a sticky read), so a value that is not a secret is scanned again as the start of the next `key=value`.
const QUOTED = String.raw`"(?:[^"\\\r\n]|\\.){0,1024}"|'(?:[^'\\\r\n]|\\.){0,1024}'|\x60[^\x60\r\n]{0,1024}\x60`;
const KEYED_VALUE = new RegExp(String.raw`${QUOTED}|[^\s"'\x60,;&<>]{1,1024}`, 'y');
// In prose a password may hold `&` or `;`: the value runs to the next space (closing punctuation is trimmed).
const PROSE_VALUE = String.raw`(?=(?<value>${QUOTED}|[^\s"'\x60<>]{1,1024}))`;

const ASSIGNMENT = new RegExp(
  String.raw`(?<![\p{L}\p{N}_.\-])["']?(?<key>-{0,2}[\p{L}_][\p{L}\p{N}_.\-]{0,63})["']?[ \t]{0,8}(?::=|=>|[:=])[ \t]{0,8}`,
  'gu',
);
const XML_ELEMENT = /<(?<key>[A-Za-z_][\w.-]{0,63})>/g;
// `Authorization: Bearer …` keeps its scheme; a header without one is an ordinary `key: value` (ASSIGNMENT).
const AUTH_HEADER =
  /(?<![\w-])(?:proxy-)?authorization["']?[ \t]{0,4}[:=][ \t]{0,4}["']?(?:bearer|basic|token|apikey|sso-key)[ \t]{1,4}(?=(?<value>[^\s"']{1,4096}))/gi;
const AUTH_HEADER_PARAMS =
  /(?<![\w-])(?:proxy-)?authorization["']?[ \t]{0,4}[:=][ \t]{0,4}["']?(?:digest|negotiate|ntlm|aws4-hmac-sha256)[ \t]{1,4}(?=(?<value>[^\r\n]{1,4096}))/gi;
const COOKIE_HEADER = /(?<![\w-])(?:set-)?cookie[ \t]{0,4}:[ \t]{0,4}(?=(?<value>[^\s=;:]{1,256}=[^\r\n]{0,4096}))/gi;
const FLAG = new RegExp(String.raw`(?<![\w\-])(?<key>--[A-Za-z][\w\-]{1,40}|-[A-Za-z])[ \t]{1,4}`, 'g');
// `mysql -pSECRET` (no space: `-p X` would prompt; the line must name mysql) and `sshpass -p SECRET`.
const INLINE_PASSWORD = /(?<=[ \t])-p(?=(?<value>[^\s"'`-][^\s"'`]{0,1023}))/g;
const SSHPASS = /(?<![\w-])sshpass[ \t]{1,4}-p[ \t]{1,4}(?=(?<value>[^\s"'`-][^\s"'`]{0,1023}))/g;
const PHRASE = new RegExp(
  String.raw`(?<![\p{L}\p{N}_'\-])(?<label>${alternation(LABEL_PHRASES)})(?<link>(?:[ \t]{1,4}(?:${alternation(CONNECTORS)}))?(?:[ \t]{0,4}[:=])?[ \t]{0,4})` +
    PROSE_VALUE,
  'giu',
);
const SCHEME_CREDENTIAL = /(?<![\w-])(?<scheme>bearer|basic)[ \t]{1,4}(?=(?<value>[A-Za-z0-9._~+/=-]{8,4096}))/gi;
const PEM_BEGIN = /-----BEGIN (?<kind>[A-Z0-9 ]{0,40})PRIVATE KEY(?<block> BLOCK)?-----/g;
const PEM_TRUNCATED_BODY = /(?:(?:\s|\\[rn]){1,8}[A-Za-z0-9+/=]{16,128})+/y;

/** For the linear-time check: every pattern this module scans with. */
export const LABEL_PATTERNS: readonly RegExp[] = [
  KEYED_VALUE,
  ASSIGNMENT,
  XML_ELEMENT,
  AUTH_HEADER,
  AUTH_HEADER_PARAMS,
  COOKIE_HEADER,
  FLAG,
  INLINE_PASSWORD,
  SSHPASS,
  PHRASE,
  SCHEME_CREDENTIAL,
  PEM_BEGIN,
  PEM_TRUNCATED_BODY,
];

type Decide = (match: RegExpExecArray, value: string, text: string) => boolean;

function readValue(text: string, at: number): string {
  KEYED_VALUE.lastIndex = at;
  return KEYED_VALUE.exec(text)?.[0] ?? '';
}
const secretKeyed = (match: RegExpExecArray) => isSecretKey(match.groups!.key!);
const flagKeyed = (match: RegExpExecArray) =>
  /^--?(?:u|user)$/.test(match.groups!.key!) ||
  (match.groups!.key!.startsWith('--') && isSecretKey(match.groups!.key!));

function quoted(value: string): boolean {
  return value.length >= 2 && /^["'`]/.test(value) && value.endsWith(value[0]!);
}

/** The part of a value to hide: inside its quotes, or without the sentence's closing punctuation. */
function secretSpan(value: string): { start: number; end: number } {
  if (quoted(value)) return { start: 1, end: value.length - 1 };
  const trimmed = value.replace(/[.,;)]+$/, '');
  return { start: 0, end: trimmed.length > 0 ? trimmed.length : value.length };
}

/**
 * Runs `pattern` (label kept in the match, value in its look-ahead group `value`) and hides the values `decide`
 * accepts. With `keyed`, the pattern stops at the separator and the value is read (by a sticky pattern) only
 * after the key passed: text full of ordinary `name: value` pairs is not scanned twice.
 */
function redactValues(
  text: string,
  pattern: RegExp,
  marker: string,
  decide: Decide,
  keyed?: (m: RegExpExecArray) => boolean,
): string {
  let out = '';
  let from = 0;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const valueAt = match.index + match[0].length;
    const value = keyed ? (keyed(match) ? readValue(text, valueAt) : '') : (match.groups?.value ?? '');
    if (value.length > 0 && decide(match, value, text)) {
      const span = secretSpan(value);
      out += text.slice(from, valueAt + span.start) + marker;
      from = valueAt + span.end;
      pattern.lastIndex = from;
    } else if (match[0].length === 0) {
      pattern.lastIndex += 1;
    }
  }
  return out + text.slice(from);
}

/** What `decide` judges: the value without its quotes and closing punctuation. */
function bare(value: string): string {
  const span = secretSpan(value);
  return value.slice(span.start, span.end);
}

function decodesToCredentials(value: string): boolean {
  try {
    return /^[\x20-\x7e]{1,256}:[\x20-\x7e]{1,1024}$/.test(atob(value));
  } catch {
    return false;
  }
}

const decideAssignment: Decide = (match, value) => isSecretKey(match.groups!.key!) && isAssignedSecret(bare(value));
const decideFlag: Decide = (match, value) => {
  const flag = match.groups!.key!;
  if (value.startsWith('-')) return false;
  if (/^--?(?:u|user)$/.test(flag)) return bare(value).includes(':');
  return flag.startsWith('--') && isSecretKey(flag) && isAssignedSecret(bare(value));
};
const decidePhrase: Decide = (match, value) => {
  const link = match.groups!.link!;
  const shown = bare(value);
  if (link.length === 0) return false;
  if (/[:=]/.test(link)) return isAssignedSecret(shown);
  if (link.trim().length > 0) return isStatedSecret(shown, quoted(value));
  return isBareSecret(shown);
};
const decideScheme: Decide = (match, value) =>
  match.groups!.scheme!.toLowerCase() === 'basic'
    ? decodesToCredentials(value) || isBareSecret(value)
    : value.length >= 20 || isBareSecret(value);

const decideInlinePassword: Decide = (match, _value, text) => {
  // Only the 256 characters before the flag, on its line: bounded work for each `-p`.
  const line = text
    .slice(Math.max(0, match.index - 256), match.index)
    .split('\n')
    .at(-1)!;
  return /(?:^|[\s/])mysql\w{0,10}[ \t]/.test(line);
};

/** Private-key blocks, the whole block; a pasted block cut before its END line loses its base64 lines too. */
export function redactPrivateKeys(text: string, marker: string): string {
  if (!text.includes('PRIVATE KEY')) return text;
  const endAt = new Map<string, number>();
  let out = '';
  let from = 0;
  PEM_BEGIN.lastIndex = 0;
  for (let match = PEM_BEGIN.exec(text); match; match = PEM_BEGIN.exec(text)) {
    const end = `-----END ${match.groups!.kind}PRIVATE KEY${match.groups!.block ?? ''}-----`;
    const bodyAt = match.index + match[0].length;
    // One search per END marker: a text of many BEGIN lines and no END stays linear.
    let found = endAt.get(end);
    if (found === undefined || (found >= 0 && found < bodyAt)) endAt.set(end, (found = text.indexOf(end, bodyAt)));
    let stop = found >= 0 ? found + end.length : bodyAt;
    if (found < 0) {
      PEM_TRUNCATED_BODY.lastIndex = bodyAt;
      if (PEM_TRUNCATED_BODY.test(text)) stop = PEM_TRUNCATED_BODY.lastIndex;
    }
    out += text.slice(from, match.index) + marker;
    from = stop;
    PEM_BEGIN.lastIndex = stop;
  }
  return out + text.slice(from);
}

/** Every labelled secret of the text replaced by `marker`; labels, quotes and punctuation stay. */
export function redactLabelledValues(text: string, marker: string): string {
  let out = redactValues(text, AUTH_HEADER, marker, (_m, value) => isAssignedSecret(bare(value)));
  out = redactValues(out, AUTH_HEADER_PARAMS, marker, () => true);
  out = redactValues(out, COOKIE_HEADER, marker, () => true);
  out = redactValues(out, ASSIGNMENT, marker, decideAssignment, secretKeyed);
  out = redactValues(out, XML_ELEMENT, marker, decideAssignment, secretKeyed);
  out = redactValues(out, FLAG, marker, decideFlag, flagKeyed);
  out = redactValues(out, INLINE_PASSWORD, marker, decideInlinePassword);
  out = redactValues(out, SSHPASS, marker, () => true);
  out = redactValues(out, PHRASE, marker, decidePhrase);
  return redactValues(out, SCHEME_CREDENTIAL, marker, decideScheme);
}
