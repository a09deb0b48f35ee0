import { describe, expect, it } from 'vitest';
import { BENIGN_TEXTS, secretForms } from '../../test/helpers/secret-corpus.ts';
import { redactArgv, redactCounted, redactSecrets, redactValue, REDACTED, truncateToTokens } from './redaction.ts';
import { TOKEN_RULES } from './secrets/token-rules.ts';

const forms = secretForms();

describe('redactSecrets on the secret corpus', () => {
  it('holds more than a hundred distinct forms', () => {
    expect(forms.length).toBeGreaterThanOrEqual(100);
    expect(new Set(forms.map((f) => f.name)).size).toBe(forms.length);
  });

  it.each(forms.map((f) => [f.name, f] as const))('hides the secret of %s and marks where it was', (_name, form) => {
    const out = redactSecrets(form.text);
    expect(out).not.toContain(form.secret);
    expect(out.includes(REDACTED) || out.includes('***@')).toBe(true);
  });

  it('hides every secret of a ticket that pastes them all at once', () => {
    const out = redactSecrets(forms.map((f) => f.text).join('\n'));
    for (const form of forms) expect(out, form.name).not.toContain(form.secret);
  });

  it('is idempotent: redacting twice gives the same text', () => {
    for (const form of forms) {
      const once = redactSecrets(form.text);
      expect(redactSecrets(once), form.name).toBe(once);
    }
  });
});

describe('redactSecrets on ordinary ticket text', () => {
  it.each(BENIGN_TEXTS.map((t) => [t]))('leaves "%s" as written', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('keeps the words around a secret readable: labels, quotes and JSON shape stay', () => {
    expect(redactSecrets('my password is hunter22, please help')).toBe(`my password is ${REDACTED}, please help`);
    expect(JSON.parse(redactSecrets('{"user": "svc", "password": "S3cr3t!x"}'))).toEqual({
      user: 'svc',
      password: REDACTED,
    });
    expect(redactSecrets('Server=db;User Id=sa;Password=P@ssw0rd;Encrypt=true')).toBe(
      `Server=db;User Id=sa;Password=${REDACTED};Encrypt=true`,
    );
    expect(redactSecrets('Authorization: Bearer abcdef123456ghijkl')).toBe(`Authorization: Bearer ${REDACTED}`);
  });

  it('counts what it removed', () => {
    expect(redactCounted('password=Hunter2x and postgres://a:b@db/x').count).toBe(2);
    expect(redactCounted('the password reset page is slow').count).toBe(0);
  });
});

describe('the rule data', () => {
  it('compiles every rule once, with an id and lower-case keywords that its own matches contain', () => {
    expect(TOKEN_RULES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(TOKEN_RULES.map((r) => r.id)).size).toBe(TOKEN_RULES.length);
    for (const form of forms) {
      for (const rule of TOKEN_RULES) {
        for (const match of form.text.matchAll(rule.pattern)) {
          expect(
            rule.keywords.some((k) => match[0].toLowerCase().includes(k)),
            `${rule.id} on ${form.name}`,
          ).toBe(true);
        }
      }
    }
  });
});

describe('redactValue', () => {
  it('hides a value kept under a secret name whole, and redacts strings everywhere else', () => {
    const out = redactValue({
      password: 'hunter2',
      nested: { api_key: 12345678, note: 'token ghp_' + 'a1'.repeat(18) },
      count: 3,
      ok: true,
      list: ['DB_PASSWORD=x9!kQ'],
    });
    expect(out).toEqual({
      password: REDACTED,
      nested: { api_key: REDACTED, note: `token ${REDACTED}` },
      count: 3,
      ok: true,
      list: [`DB_PASSWORD=${REDACTED}`],
    });
  });

  it('leaves names that only look like secrets alone', () => {
    expect(
      redactValue({ max_tokens: 4096, token_type: 'bearer', password_reset_url: 'https://x/reset', primary_key: 'id' }),
    ).toEqual({ max_tokens: 4096, token_type: 'bearer', password_reset_url: 'https://x/reset', primary_key: 'id' });
  });
});

describe('redactArgv', () => {
  it('hides the argument after a flag that takes a secret, and secrets inside any argument', () => {
    expect(redactArgv(['sshpass', '-p', 'Hunter2x', 'ssh', 'web01'])).toEqual([
      'sshpass',
      '-p',
      REDACTED,
      'ssh',
      'web01',
    ]);
    expect(redactArgv(['pg_dump', '--password', 'S3cret!', 'orders'])).toEqual([
      'pg_dump',
      '--password',
      REDACTED,
      'orders',
    ]);
    expect(redactArgv(['curl', '-u', 'admin:S3cret', 'https://x'])).toEqual(['curl', '-u', REDACTED, 'https://x']);
    expect(redactArgv(['psql', 'postgres://app:pw9@db/x', '-c', 'select 1'])).toEqual([
      'psql',
      'postgres://***@db/x',
      '-c',
      'select 1',
    ]);
    expect(redactArgv(['ls', '-p', '/var/log'])).toEqual(['ls', '-p', '/var/log']);
  });
});

describe('truncateToTokens', () => {
  it('keeps a text within budget as it is and cuts a longer one with a mark', () => {
    expect(truncateToTokens('short', 10)).toBe('short');
    expect(truncateToTokens('x'.repeat(400), 10)).toMatch(/\[… truncated\]$/);
  });
});
