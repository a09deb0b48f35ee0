// Device allow-lists: an argv runs only when one rule matches its program and every argument exactly.
// Regex patterns never admit an option (`-…`), so a loose pattern cannot smuggle in `--output=/etc/x`.
import type { AllowRule } from './ports.ts';
import { findUnsafeCharacter, MAX_ARGS } from './argv.ts';
import { TwisterError } from './errors.ts';

const BARE_PROGRAM = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;
const ABSOLUTE_PATH = '/^\\/[A-Za-z0-9._\\/-]*$/';

/** Read-only diagnostics that are safe to run unattended on the machine TwisterLab runs on (hence risk `read`). */
export const DEFAULT_LOCAL_ALLOWLIST: AllowRule[] = [
  { program: 'uptime', args: [], risk: 'read' },
  { program: 'df', args: ['-h'], risk: 'read' },
  { program: 'df', args: ['-h', ABSOLUTE_PATH], risk: 'read' },
  { program: 'df', args: ['-i'], risk: 'read' },
  { program: 'free', args: ['-m'], risk: 'read' },
  { program: 'free', args: ['-h'], risk: 'read' },
  { program: 'ps', args: ['aux'], risk: 'read' },
  { program: 'ss', args: ['-tln'], risk: 'read' },
  { program: 'ss', args: ['-tlnp'], risk: 'read' },
  { program: 'ss', args: ['-s'], risk: 'read' },
  { program: 'uname', args: ['-a'], risk: 'read' },
  { program: 'hostname', args: [], risk: 'read' },
  { program: 'whoami', args: [], risk: 'read' },
  { program: 'date', args: [], risk: 'read' },
  { program: 'nproc', args: [], risk: 'read' },
  { program: 'cat', args: ['/proc/loadavg'], risk: 'read' },
  { program: 'cat', args: ['/proc/meminfo'], risk: 'read' },
  { program: 'cat', args: ['/proc/cpuinfo'], risk: 'read' },
  { program: 'ip', args: ['-brief', 'addr'], risk: 'read' },
  { program: 'ip', args: ['-brief', 'link'], risk: 'read' },
  { program: 'ip', args: ['route'], risk: 'read' },
  { program: 'lsblk', args: [], risk: 'read' },
  { program: 'du', args: ['-sh', ABSOLUTE_PATH], risk: 'read' },
];

function isRegexPattern(pattern: string): boolean {
  return pattern.length >= 3 && pattern.startsWith('/') && pattern.endsWith('/');
}

const compiled = new Map<string, RegExp | null>();

/** Compiles `/source/` anchored to the whole argument; null when the source is not a valid RegExp. */
function compilePattern(pattern: string): RegExp | null {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(`^(?:${pattern.slice(1, -1)})$`);
    } catch {
      regex = null;
    }
    compiled.set(pattern, regex);
  }
  return regex;
}

function argumentMatches(pattern: string, arg: string): boolean {
  if (!isRegexPattern(pattern)) return pattern === arg;
  if (arg.startsWith('-')) return false;
  const regex = compilePattern(pattern);
  return regex !== null && regex.test(arg);
}

function ruleMatches(rule: AllowRule, argv: readonly string[]): boolean {
  if (rule.program !== argv[0] || rule.program.includes('/')) return false;
  if (rule.args.length !== argv.length - 1) return false;
  return rule.args.every((pattern, i) => argumentMatches(pattern, argv[i + 1]!));
}

export function matchAllowList(argv: readonly string[], rules: readonly AllowRule[]): AllowRule | undefined {
  const program = argv[0];
  if (program === undefined || program.includes('/')) return undefined;
  return rules.find((rule) => ruleMatches(rule, argv));
}

export function formatAllowRule(rule: AllowRule): string {
  return [rule.program, ...rule.args].join(' ');
}

/** Returns the matching rule or throws COMMAND_NOT_ALLOWED naming the program. */
export function assertAllowed(argv: readonly string[], rules: readonly AllowRule[]): AllowRule {
  const program = argv[0] ?? '';
  if (program.includes('/')) {
    throw new TwisterError(
      'COMMAND_NOT_ALLOWED',
      `program "${program}" must be a bare name (no "/"); it is resolved on a fixed safe PATH`,
      { program },
    );
  }
  const rule = matchAllowList(argv, rules);
  if (rule) return rule;
  const forms = rules.filter((r) => r.program === program).map(formatAllowRule);
  const message =
    forms.length === 0
      ? `"${program}" is not on the device's allow-list`
      : `"${program}" with these arguments is not on the device's allow-list (allowed: ${forms.join('; ')})`;
  throw new TwisterError('COMMAND_NOT_ALLOWED', message, { program, allowed_forms: forms });
}

function invalidRule(text: string, why: string): never {
  throw new TwisterError('CONFIG_INVALID', `allow rule "${text}": ${why}`, { rule: text });
}

function checkPattern(text: string, pattern: string): void {
  if (isRegexPattern(pattern)) {
    if (compilePattern(pattern) === null) invalidRule(text, `${pattern} is not a valid regular expression`);
    return;
  }
  const unsafe = findUnsafeCharacter(pattern);
  if (unsafe)
    invalidRule(text, `literal argument "${pattern}" contains ${unsafe.reason}, so no command could ever match it`);
  if (pattern.includes('"') || pattern.includes("'"))
    invalidRule(text, `literal argument "${pattern}" contains a quote`);
}

/**
 * Parses a configured rule such as `systemctl restart nginx` or `du -sh /^\/var\/log\/[a-z]+$/`.
 * Words are separated by spaces or tabs; a word wrapped in slashes is a regex source.
 */
export function parseAllowRule(text: string): AllowRule {
  const words = text
    .trim()
    .split(/[ \t]+/)
    .filter((w) => w.length > 0);
  const [program, ...args] = words;
  if (program === undefined) invalidRule(text, 'it is empty');
  if (!BARE_PROGRAM.test(program))
    invalidRule(text, `program "${program}" must be a bare name such as "df" (letters, digits, "._+-", no "/")`);
  if (args.length > MAX_ARGS - 1) invalidRule(text, `it has more than ${MAX_ARGS - 1} arguments`);
  for (const pattern of args) checkPattern(text, pattern);
  return { program, args };
}
