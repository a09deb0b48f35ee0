// Every pattern the redaction scans with is checked by a ReDoS analyser (recheck): none may backtrack
// polynomially or exponentially, whatever the text. The check is deterministic (fixed seed, no time limits),
// so it says the same on a loaded machine. Then hostile text built from every keyword and label goes through the
// whole redaction twice: the second pass must find nothing left to hide.
import { describe, expect, it } from 'vitest';
import { expectLinearTime } from '../../../test/helpers/linear-time.ts';
import { redactSecrets } from '../redaction.ts';
import { URL_USER_INFO } from '../service-declarations.ts';
import { LABEL_PATTERNS } from './labelled-values.ts';
import { TOKEN_RULES } from './token-rules.ts';

const patterns: Array<[string, RegExp]> = [
  ...TOKEN_RULES.map((rule) => [`rule ${rule.id}`, rule.pattern] as [string, RegExp]),
  ...LABEL_PATTERNS.map((pattern) => [`label /${pattern.source.slice(0, 40)}…/`, pattern] as [string, RegExp]),
  ['url user-info', URL_USER_INFO],
];

describe('the redaction patterns', () => {
  it.each(patterns)('%s cannot backtrack beyond linear time', (_name, pattern) => expectLinearTime(pattern), 600_000);

  const words = [
    ...TOKEN_RULES.flatMap((rule) => rule.keywords),
    'password=',
    'my password is ',
    'mot de passe ',
    'authorization: bearer ',
    '-----BEGIN RSA PRIVATE KEY-----\n',
    'mysql -u x -p',
    'cookie:set-',
    '{"token": "',
    'a://',
  ];
  const hostile = (word: string, glue: string, size: number) =>
    `${word}Ab1${glue}`.repeat(Math.ceil(size / (word.length + 4)));

  it('reach a fixed point on 100 kB of hostile text built from every keyword and label', () => {
    for (const word of words) {
      const out = redactSecrets(hostile(word, '-', 100_000));
      expect(redactSecrets(out) === out, word).toBe(true);
    }
  }, 600_000);

  it('start a token only where its own characters stop, so a long run is not redacted piece by piece', () => {
    // A rule whose start boundary is narrower than its body matches inside the run and leaves more to find.
    for (const word of words) {
      for (const glue of ['-', '.', '/', '+', '=', '~', ':', '_']) {
        const out = redactSecrets(hostile(word, glue, 5_000));
        expect(redactSecrets(out) === out, `${word} glued by ${glue}`).toBe(true);
      }
    }
  }, 600_000);
});
