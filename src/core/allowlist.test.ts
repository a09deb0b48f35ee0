import { describe, it, expect } from 'vitest';
import { assertAllowed, DEFAULT_LOCAL_ALLOWLIST, matchAllowList, parseAllowRule } from './allowlist.ts';
import { splitCommand } from './argv.ts';
import { TwisterError } from './errors.ts';
import type { AllowRule } from './ports.ts';

const rules: AllowRule[] = [
  { program: 'uptime', args: [] },
  { program: 'df', args: ['-h'] },
  { program: 'df', args: ['-h', '/^\\/[a-z]+$/'] },
  { program: 'tail', args: ['-n', '/[0-9]+/', '/.+/'] },
  { program: 'ssh', args: ['/.+/'] },
];

function allowed(command: string, list: AllowRule[] = rules): boolean {
  return matchAllowList(splitCommand(command), list) !== undefined;
}

describe('matchAllowList', () => {
  it('matches a program with exactly the listed literal arguments', () => {
    expect(matchAllowList(['df', '-h'], rules)).toEqual({ program: 'df', args: ['-h'] });
    expect(allowed('uptime')).toBe(true);
  });

  it('requires the argument count to match exactly', () => {
    expect(allowed('uptime -p')).toBe(false);
    expect(allowed('df')).toBe(false);
    expect(allowed('df -h /var /etc')).toBe(false);
  });

  it('anchors regex patterns to the whole argument', () => {
    expect(allowed('df -h /var')).toBe(true);
    expect(allowed('df -h /var/x')).toBe(false);
    expect(allowed('tail -n 20 app.log')).toBe(true);
    expect(allowed('tail -n 20x app.log')).toBe(false);
  });

  it('never lets a regex pattern admit an argument that starts with a dash', () => {
    expect(allowed('ssh host')).toBe(true);
    expect(allowed('ssh -oProxyCommand=x')).toBe(false);
    expect(allowed('tail -n 20 --output=/etc/x')).toBe(false);
    expect(allowed('tail -n -20 app.log')).toBe(false);
  });

  it('refuses a program given as a path even when its base name is listed', () => {
    expect(matchAllowList(['/usr/bin/uptime'], rules)).toBeUndefined();
    expect(matchAllowList(['./uptime'], [...rules, { program: './uptime', args: [] }])).toBeUndefined();
  });

  it('treats an invalid regex in a rule as matching nothing', () => {
    expect(matchAllowList(['x', 'a'], [{ program: 'x', args: ['/(/'] }])).toBeUndefined();
  });

  it('matches nothing for an empty argv', () => {
    expect(matchAllowList([], rules)).toBeUndefined();
  });
});

describe('assertAllowed', () => {
  function refusal(argv: string[]): TwisterError {
    try {
      assertAllowed(argv, rules);
    } catch (error) {
      if (error instanceof TwisterError) return error;
      throw error;
    }
    throw new Error(`assertAllowed accepted ${argv.join(' ')}`);
  }

  it('returns the matching rule', () => {
    expect(assertAllowed(['df', '-h', '/var'], rules).args).toHaveLength(2);
  });

  it('names an unlisted program and says it is not on the allow-list', () => {
    const error = refusal(['rm', '-rf', '/tmp/x']);
    expect(error.code).toBe('COMMAND_NOT_ALLOWED');
    expect(error.message).toBe(`"rm" is not on the device's allow-list`);
  });

  it('lists the allowed forms when the program is listed with other arguments', () => {
    const error = refusal(['df', '--output=x']);
    expect(error.message).toContain(`"df" with these arguments is not on the device's allow-list`);
    expect(error.details).toMatchObject({ program: 'df', allowed_forms: ['df -h', 'df -h /^\\/[a-z]+$/'] });
  });

  it('explains that a program must be a bare name', () => {
    expect(refusal(['/bin/df', '-h']).message).toContain('must be a bare name');
  });
});

describe('DEFAULT_LOCAL_ALLOWLIST', () => {
  it('marks every rule as read-only', () => {
    expect(DEFAULT_LOCAL_ALLOWLIST.every((rule) => rule.risk === 'read')).toBe(true);
  });

  it.each([
    'uptime',
    'df -h',
    'df -h /var/lib',
    'free -m',
    'ps aux',
    'ss -tlnp',
    'cat /proc/loadavg',
    'ip -brief addr',
    'du -sh /var/log',
  ])('allows the read-only diagnostic %s', (command) => expect(allowed(command, DEFAULT_LOCAL_ALLOWLIST)).toBe(true));

  it.each([
    'cat /etc/shadow',
    'df -h --output=x',
    'du -sh var',
    'du -sh /var/log --exclude=x',
    'hostname evil',
    'date -s 2020-01-01',
    'rm -rf /tmp/x',
  ])('refuses %s', (command) => expect(allowed(command, DEFAULT_LOCAL_ALLOWLIST)).toBe(false));
});

describe('parseAllowRule', () => {
  it('parses literals', () => {
    expect(parseAllowRule('systemctl restart nginx')).toEqual({ program: 'systemctl', args: ['restart', 'nginx'] });
  });

  it('keeps a slash-wrapped word as a regex pattern that then matches whole arguments', () => {
    const rule = parseAllowRule('  du\t-sh  /^\\/var\\/log\\/[a-z]+$/ ');
    expect(rule).toEqual({ program: 'du', args: ['-sh', '/^\\/var\\/log\\/[a-z]+$/'] });
    expect(matchAllowList(['du', '-sh', '/var/log/nginx'], [rule])).toBe(rule);
    expect(matchAllowList(['du', '-sh', '/var/log/nginx/x'], [rule])).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['/bin/ls', 'bare name'],
    ['-rf x', 'bare name'],
    ['ls /(/', 'not a valid regular expression'],
    ['ls a;b', 'shell metacharacter'],
    [`ls "x"`, 'quote'],
  ])('refuses the rule %j with CONFIG_INVALID', (text, reason) => {
    expect(() => parseAllowRule(text)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(reason) }),
    );
  });
});
