// An auth log as Debian's rsyslog writes it: sshd and PAM failures in their usual groups, successes and noise.
// Expected figures for the whole text are in FIXTURE_EXPECTED; tests build their own variations from it.
export const AUTH_LOG_FIXTURE = [
  'Mar  3 09:00:01 web-01 CRON[900]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
  // An unknown user: four lines, one attempt.
  'Mar  3 09:00:05 web-01 sshd[1001]: Invalid user admin from 203.0.113.7 port 50000',
  'Mar  3 09:00:05 web-01 sshd[1001]: pam_unix(sshd:auth): check pass; user unknown',
  'Mar  3 09:00:05 web-01 sshd[1001]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7',
  'Mar  3 09:00:07 web-01 sshd[1001]: Failed password for invalid user admin from 203.0.113.7 port 50000 ssh2',
  'Mar  3 09:00:08 web-01 sshd[1001]: Connection closed by invalid user admin 203.0.113.7 port 50000 [preauth]',
  // Three passwords for root on one connection.
  'Mar  3 09:01:00 web-01 sshd[1002]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.2  user=root',
  'Mar  3 09:01:02 web-01 sshd[1002]: Failed password for root from 198.51.100.2 port 41000 ssh2',
  'Mar  3 09:01:05 web-01 sshd[1002]: Failed password for root from 198.51.100.2 port 41000 ssh2',
  'Mar  3 09:01:08 web-01 sshd[1002]: Failed password for root from 198.51.100.2 port 41000 ssh2',
  'Mar  3 09:01:08 web-01 sshd[1002]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.2  user=root',
  'Mar  3 09:01:09 web-01 sshd[1002]: Disconnected from authenticating user root 198.51.100.2 port 41000 [preauth]',
  // rsyslog folds repeats: one plus four more.
  'Mar  3 09:02:00 web-01 sshd[1003]: Failed password for root from 198.51.100.2 port 41100 ssh2',
  'Mar  3 09:02:12 web-01 sshd[1003]: message repeated 4 times: [ Failed password for root from 198.51.100.2 port 41100 ssh2]',
  // A key-only bot: no password, one failed connection.
  'Mar  3 09:03:00 web-01 sshd[1004]: Connection closed by authenticating user git 192.0.2.9 port 1234 [preauth]',
  'Mar  3 09:03:30 web-01 sshd[1005]: Accepted publickey for deploy from 10.0.0.5 port 52000 ssh2: ED25519 SHA256:abc',
  'Mar  3 09:03:30 web-01 sshd[1005]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)',
  // A local su: a failure with no remote source.
  'Mar  3 09:04:00 web-01 su[2000]: pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=root',
  // RFC 3339 timestamps (rsyslog on Debian 12), IPv6.
  '2025-03-03T09:05:00.123456+00:00 web-01 sshd[3001]: Failed password for bob from 2001:db8::5 port 22 ssh2',
  '2025-03-03T09:05:01.000000+00:00 web-01 sshd[3001]: Connection closed by authenticating user bob 2001:db8::5 port 22 [preauth]',
  'Mar  3 09:06:00 web-01 systemd[1]: Started session-5.scope - Session 5 of User deploy.',
].join('\n');

export const FIXTURE_EXPECTED = {
  failed_count: 12,
  sources: [
    { ip: '198.51.100.2', count: 8, users: ['root'] },
    { ip: '192.0.2.9', count: 1, users: ['git'] },
    { ip: '2001:db8::5', count: 1, users: ['bob'] },
    { ip: '203.0.113.7', count: 1, users: ['admin'] },
  ],
  users: [
    { user: 'root', count: 9 },
    { user: 'admin', count: 1 },
    { user: 'bob', count: 1 },
    { user: 'git', count: 1 },
  ],
  distinct_sources: 4,
  distinct_users: 4,
  first_seen: 'Mar  3 09:00:05',
  last_seen: '2025-03-03T09:05:01.000000+00:00',
  lines_read: 21,
};
