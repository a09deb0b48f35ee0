// Failed logins in an auth log (sshd and PAM lines, syslog or RFC 3339 timestamps). One failed attempt often
// leaves several lines (`Invalid user`, the PAM failure, `Failed password`, the closing `[preauth]`): lines are
// grouped by the process that wrote them (sshd[pid]), and a group counts as many attempts as its most frequent
// kind of failure line — each password refused, or one for a connection that failed without a password.
import { isIP } from 'node:net';

export interface FailureSource {
  ip: string;
  count: number;
  users: string[];
}
export interface FailedLogins {
  failed_count: number;
  sources: FailureSource[];
  users: Array<{ user: string; count: number }>;
  distinct_sources: number;
  distinct_users: number;
  first_seen?: string;
  last_seen?: string;
  lines_read: number;
}

type Kind = 'password' | 'pam' | 'invalid' | 'closed';
interface Failure {
  kind: Kind;
  user?: string;
  ip?: string;
}

interface Attempts {
  ip?: string;
  users: Set<string>;
  password: number;
  pam: number;
  other: boolean;
  first: string;
  last: string;
  /** Index of its last line, to find the latest failure whatever the timestamp format. */
  lastLine: number;
}

export const MAX_LISTED = 100;
const MAX_USERS_PER_SOURCE = 20;

const SYSLOG = /^([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: (.*)$/;
const RFC3339 =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: (.*)$/;
const REPEATED = /^message repeated (\d+) times: \[ ?(.*)\]$/;
const FAILED = /^Failed (?:password|keyboard-interactive\/pam) for (?:invalid user )?(\S*) from (\S+) port \d+/;
const INVALID = /^Invalid user (\S*) from (\S+)/;
const CLOSED =
  /^(?:Connection closed by|Disconnected from) (?:authenticating|invalid) user (\S*) (\S+) port \d+ \[preauth\]/;
const PAM = /authentication failure;/;

/** User names and hosts come from whoever tried to log in: bounded and stripped of control characters. */
function clean(text: string | undefined): string | undefined {
  const value = text?.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, 64);
  return value ? value : undefined;
}

function cleanIp(text: string | undefined): string | undefined {
  const value = clean(text);
  return value && (isIP(value) !== 0 || /^[A-Za-z0-9.-]{1,64}$/.test(value)) ? value : undefined;
}

/** The failure a message reports, if any. */
export function parseFailure(message: string): Failure | undefined {
  let m = FAILED.exec(message);
  if (m) return { kind: 'password', user: clean(m[1]), ip: cleanIp(m[2]) };
  m = INVALID.exec(message);
  if (m) return { kind: 'invalid', user: clean(m[1]), ip: cleanIp(m[2]) };
  m = CLOSED.exec(message);
  if (m) return { kind: 'closed', user: clean(m[1]), ip: cleanIp(m[2]) };
  if (PAM.test(message)) {
    const field = (name: string) =>
      new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(message.slice(message.indexOf(';')))?.[1];
    return { kind: 'pam', user: clean(field('user')), ip: cleanIp(field('rhost')) };
  }
  return undefined;
}

function countOf(a: Attempts): number {
  return Math.max(a.password, a.pam, a.other ? 1 : 0);
}

function add(a: Attempts, failure: Failure, times: number, at: string, line: number): void {
  if (failure.user) a.users.add(failure.user);
  a.ip ??= failure.ip;
  if (failure.kind === 'password') a.password += times;
  else if (failure.kind === 'pam') a.pam += times;
  else a.other = true;
  a.last = at;
  a.lastLine = line;
}

function summarise(groups: Attempts[], linesRead: number): FailedLogins {
  const sources = new Map<string, { count: number; users: Set<string> }>();
  const users = new Map<string, number>();
  let failed = 0;
  let first: string | undefined;
  let last: Attempts | undefined;
  for (const group of groups) {
    const count = countOf(group);
    if (count === 0) continue;
    failed += count;
    first ??= group.first;
    if (!last || group.lastLine > last.lastLine) last = group;
    if (group.ip) {
      const source = sources.get(group.ip) ?? { count: 0, users: new Set<string>() };
      source.count += count;
      group.users.forEach((u) => source.users.add(u));
      sources.set(group.ip, source);
    }
    group.users.forEach((u) => users.set(u, (users.get(u) ?? 0) + count));
  }
  const byCount = <T extends { count: number }>(a: T & { key: string }, b: T & { key: string }) =>
    b.count - a.count || (a.key < b.key ? -1 : 1);
  return {
    failed_count: failed,
    sources: [...sources]
      .map(([key, s]) => ({ key, ...s }))
      .sort(byCount)
      .slice(0, MAX_LISTED)
      .map((s) => ({ ip: s.key, count: s.count, users: [...s.users].sort().slice(0, MAX_USERS_PER_SOURCE) })),
    users: [...users]
      .map(([key, count]) => ({ key, count }))
      .sort(byCount)
      .slice(0, MAX_LISTED)
      .map((u) => ({ user: u.key, count: u.count })),
    distinct_sources: sources.size,
    distinct_users: users.size,
    ...(first ? { first_seen: first } : {}),
    ...(last ? { last_seen: last.last } : {}),
    lines_read: linesRead,
  };
}

/** Aggregates the failed logins of some log lines, oldest first. Timestamps are returned as the log wrote them. */
export function summariseFailedLogins(lines: readonly string[]): FailedLogins {
  const open = new Map<string, Attempts>();
  const done: Attempts[] = [];
  lines.forEach((line, index) => {
    const m = RFC3339.exec(line) ?? SYSLOG.exec(line);
    if (!m) return;
    const [, at, host, program, pid, body] = m as unknown as [
      string,
      string,
      string,
      string,
      string | undefined,
      string,
    ];
    const repeated = REPEATED.exec(body);
    const failure = parseFailure(repeated ? repeated[2]! : body);
    if (!failure) return;
    // Without a pid nothing ties lines together: each is its own attempt.
    const key = pid ? `${host} ${program}[${pid}]` : `line ${index}`;
    let group = open.get(key);
    if (!group) {
      group = { users: new Set(), password: 0, pam: 0, other: false, first: at, last: at, lastLine: index };
      open.set(key, group);
      done.push(group);
    }
    add(group, failure, repeated ? Number(repeated[1]) : 1, at, index);
    // The connection is over: a later line of a reused pid is another connection.
    if (failure.kind === 'closed') open.delete(key);
  });
  return summarise(done, lines.length);
}
