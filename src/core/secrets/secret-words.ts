// The words that announce a secret in English, French, German, Spanish, Italian, Portuguese and Dutch, and the
// tests that tell a secret value from ordinary words, so "my token expired" stays readable.

/** Names of settings, variables and JSON keys whose value is a secret (matched inside longer names: DB_PASSWORD). */
const KEY_WORDS = [
  'password',
  'passwd',
  'passphrase',
  'passwort',
  'kennwort',
  'wachtwoord',
  'contraseña',
  'contrasena',
  'senha',
  'motdepasse',
  'mot_de_passe',
  'secret',
  'token',
  'apikey',
  'api_key',
  'api-key',
  'accesskey',
  'access_key',
  'privatekey',
  'private_key',
  'credential',
  'authorization',
  'sessionid',
  'jeton',
];
/** Short names that are a secret only as a whole segment (`db_pass`, `PWD`), not inside `passenger` or `author`. */
const SEGMENT_WORDS = [
  'pass',
  'pwd',
  'pw',
  'mdp',
  'auth',
  'pin',
  'psk',
  'sas',
  'key',
  'cookie',
  'sig',
  'signature',
  'clave',
];
/** Names that hold a word above but no secret: sizes, places, switches, counters (`max_tokens`, `password_reset_url`). */
const NOT_SECRET_KEY =
  /tokens|tokeni[sz]|(?:^|[_.-])(?:url|uri|endpoint|file|path|name|id|ids|length|len|size|type|types|expir\w*|ttl|reset|policy|hint|required|count|field|format|version|enabled|mode|method|provider|manager|store|strength|age|changed|rotation|label|header|prefix|min|max|limit|timeout|algorithm|algo|usage|budget|hash|location|ref|env|var)$|^(?:public[_.-]?key|key[_.-]?(?:id|name)|primary[_.-]?key|foreign[_.-]?key|sort[_.-]?key|partition[_.-]?key|idempotency[_.-]?key|cache[_.-]?key|keyboard|monkey|turkey|hotkey|keys?)$/i;

// Field names repeat (every step output has the same keys): the answer for each is remembered, within bounds.
const keyAnswers = new Map<string, boolean>();

export function isSecretKey(name: string): boolean {
  const known = keyAnswers.get(name);
  if (known !== undefined) return known;
  const answer = judgeKey(name);
  if (name.length <= 100) {
    if (keyAnswers.size >= 2048) keyAnswers.delete(keyAnswers.keys().next().value!);
    keyAnswers.set(name, answer);
  }
  return answer;
}

function judgeKey(name: string): boolean {
  const key = name
    .replace(/^-{1,2}/, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
  if (NOT_SECRET_KEY.test(key)) return false;
  const flat = key.replace(/[_.-]/g, '');
  if (KEY_WORDS.some((word) => key.includes(word) || flat.includes(word.replace(/[_-]/g, '')))) return true;
  return key.split(/[_.-]+/).some((segment) => SEGMENT_WORDS.includes(segment));
}

/** Phrases of ticket prose that introduce a secret ("my password is …", "le mot de passe est …"). */
export const LABEL_PHRASES = [
  'password',
  'passwd',
  'passphrase',
  'pass phrase',
  'passcode',
  'pin code',
  'secret',
  'secret key',
  'client secret',
  'api key',
  'api-key',
  'apikey',
  'access key',
  'secret access key',
  'access token',
  'auth token',
  'refresh token',
  'bearer token',
  'token',
  'private key',
  'app password',
  'login password',
  'mot de passe',
  'mdp',
  'phrase secrète',
  'phrase de passe',
  'clé api',
  'clé secrète',
  "clé d'api",
  'jeton',
  'code secret',
  'passwort',
  'kennwort',
  'geheimnis',
  'api-schlüssel',
  'geheimer schlüssel',
  'zugangstoken',
  'zugangscode',
  'contraseña',
  'contrasena',
  'clave',
  'clave secreta',
  'clave de acceso',
  'clave api',
  'código secreto',
  "parola d'ordine",
  'parola chiave',
  'chiave api',
  'chiave segreta',
  'codice segreto',
  'senha',
  'palavra-passe',
  'palavra passe',
  'chave api',
  'chave secreta',
  'chave de acesso',
  'código secreto',
  'wachtwoord',
  'toegangscode',
  'geheime sleutel',
  'api-sleutel',
  'toegangstoken',
];

/** Verbs between a label and its value: "is", "est", "ist", "lautet", "es", "è", "é", "was"… */
export const CONNECTORS = [
  'is now',
  'is still',
  'is',
  'was',
  'are',
  'est',
  'était',
  'ist',
  'lautet',
  'war',
  'es',
  'era',
  'è',
  'é',
  'e',
  'is nu',
  'equals',
];

/** Words that follow a label in ordinary prose and are never the secret itself. */
const ORDINARY = new Set([
  'a',
  'an',
  'the',
  'my',
  'our',
  'your',
  'his',
  'her',
  'their',
  'this',
  'that',
  'it',
  'its',
  'not',
  'no',
  'none',
  'null',
  'nil',
  'true',
  'false',
  'undefined',
  'empty',
  'blank',
  'missing',
  'required',
  'wrong',
  'incorrect',
  'invalid',
  'valid',
  'expired',
  'expiring',
  'expires',
  'expire',
  'locked',
  'blocked',
  'disabled',
  'enabled',
  'correct',
  'right',
  'fine',
  'ok',
  'okay',
  'too',
  'very',
  'still',
  'now',
  'being',
  'been',
  'set',
  'unset',
  'reset',
  'resets',
  'changed',
  'change',
  'rejected',
  'accepted',
  'refused',
  'working',
  'broken',
  'unknown',
  'forgotten',
  'lost',
  'sent',
  'same',
  'different',
  'weak',
  'strong',
  'long',
  'short',
  'saved',
  'stored',
  'revoked',
  'rotated',
  'leaked',
  'compromised',
  'needed',
  'new',
  'old',
  'already',
  'also',
  'always',
  'never',
  'in',
  'on',
  'for',
  'from',
  'of',
  'to',
  'and',
  'or',
  'but',
  'with',
  'without',
  'page',
  'field',
  'form',
  'prompt',
  'dialog',
  'policy',
  'manager',
  'vault',
  'rotation',
  'expiry',
  'expiration',
  'authentication',
  'authorization',
  'login',
  'logon',
  'reset',
  'recovery',
  'hint',
  'check',
  'error',
  'errors',
  'failure',
  'failed',
  'fails',
  'works',
  "doesn't",
  'does',
  'did',
  "didn't",
  "isn't",
  'has',
  'have',
  'had',
  'was',
  'is',
  'are',
  'were',
  'will',
  'would',
  'can',
  'cannot',
  "can't",
  'should',
  'must',
  'may',
  'might',
  'here',
  'there',
  'below',
  'above',
  'attached',
  'hidden',
  'masked',
  'redacted',
  'encrypted',
  'hashed',
  'bearer',
  'basic',
  'digest',
  'negotiate',
  'ntlm',
  'shown',
  'visible',
  'typed',
  'entered',
  'known',
  'secret',
  'secure',
  'insecure',
  'pas',
  'plus',
  'expiré',
  'bloqué',
  'faux',
  'incorrect',
  'oublié',
  'nicht',
  'kein',
  'falsch',
  'abgelaufen',
  'gesperrt',
  'no',
  'incorrecta',
  'caducada',
  'bloqueada',
  'non',
  'scaduta',
  'errata',
  'bloccata',
  'não',
  'expirada',
  'errada',
  'niet',
  'verlopen',
  'onjuist',
  'geblokkeerd',
  'le',
  'la',
  'les',
  'un',
  'une',
  'der',
  'die',
  'das',
  'el',
  'il',
  'o',
  'het',
  'de',
]);

const PLACEHOLDER =
  /^(?:\[REDACTED\]|\*+|x{3,}|\.{3,}|…|<[^>]*>|\$\{[^}]*\}|\$\(?[A-Za-z_][\w]*\)?|%[A-Za-z_]\w*%|\{\{[^}]*\}\}|\?+|-+)$/i;

/** A value after `key=` or `key:`: anything but a placeholder or an ordinary word. */
export function isAssignedSecret(value: string): boolean {
  const bare = value.replace(/^["'`]|["'`]$/g, '');
  // A value already hidden (by an earlier rule) is not hidden again, nor is what follows it.
  if (bare.length === 0 || PLACEHOLDER.test(bare) || bare.includes('[REDACTED]')) return false;
  return !ORDINARY.has(bare.toLowerCase());
}

const hasLetter = (s: string) => /\p{L}/u.test(s);
const hasDigit = (s: string) => /\d/.test(s);
const hasSymbol = (s: string) => /[^\p{L}\p{N}]/u.test(s);
const hasInnerUpper = (s: string) => /\p{Ll}.*\p{Lu}|\p{Lu}{2}.*\p{Ll}/u.test(s);

/** A value after "password is …": quoted, or a word that does not read as prose (digits, symbols, mixed case, long). */
export function isStatedSecret(value: string, quoted: boolean): boolean {
  if (!isAssignedSecret(value)) return false;
  if (quoted) return true;
  if (value.length < 4) return false;
  return hasDigit(value) || hasSymbol(value) || hasInnerUpper(value) || value.length >= 16;
}

/** A value straight after a label with nothing between ("passphrase Tr0ub4dor&3"): must look like a secret. */
export function isBareSecret(value: string): boolean {
  if (!isAssignedSecret(value) || value.length < 6) return false;
  const kinds = [hasDigit(value), hasSymbol(value), hasInnerUpper(value)].filter(Boolean).length;
  return hasLetter(value) ? kinds >= 1 && (hasDigit(value) || kinds >= 2) : hasDigit(value) && value.length >= 8;
}
