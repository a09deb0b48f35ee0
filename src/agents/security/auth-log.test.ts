import { describe, expect, it } from 'vitest';
import { AUTH_LOG_FIXTURE, FIXTURE_EXPECTED } from '../../../test/helpers/auth-log-fixture.ts';
import { parseFailure, summariseFailedLogins } from './auth-log.ts';

describe('failed logins in an auth log', () => {
  it('counts attempts, not lines, by source and user', () => {
    expect(summariseFailedLogins(AUTH_LOG_FIXTURE.split('\n'))).toEqual(FIXTURE_EXPECTED);
  });

  it('reads each form of failure line', () => {
    expect(parseFailure('Failed password for invalid user  from 203.0.113.1 port 22 ssh2')).toEqual({
      kind: 'password',
      user: undefined,
      ip: '203.0.113.1',
    });
    expect(parseFailure('Failed keyboard-interactive/pam for carol from 203.0.113.2 port 22 ssh2')).toMatchObject({
      kind: 'password',
      user: 'carol',
    });
    expect(parseFailure('Invalid user oracle from 203.0.113.3')).toEqual({
      kind: 'invalid',
      user: 'oracle',
      ip: '203.0.113.3',
    });
    expect(
      parseFailure(
        'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.4  user=dave',
      ),
    ).toEqual({ kind: 'pam', user: 'dave', ip: '203.0.113.4' });
    expect(parseFailure('Connection closed by authenticating user erin 203.0.113.5 port 9 [preauth]')).toEqual({
      kind: 'closed',
      user: 'erin',
      ip: '203.0.113.5',
    });
    expect(parseFailure('Accepted password for erin from 203.0.113.5 port 9 ssh2')).toBeUndefined();
  });

  it('counts a reused pid after its connection closed as a new connection', () => {
    const lines = [
      'Mar  3 10:00:00 h sshd[7]: Connection closed by authenticating user a 192.0.2.1 port 1 [preauth]',
      'Mar  3 10:00:01 h sshd[7]: Connection closed by authenticating user a 192.0.2.1 port 2 [preauth]',
    ];
    expect(summariseFailedLogins(lines)).toMatchObject({ failed_count: 2, sources: [{ ip: '192.0.2.1', count: 2 }] });
  });

  it('keeps control characters and long names of attackers out of the answer', () => {
    const lines = [`Mar  3 10:00:00 h sshd[8]: Invalid user ${'x'.repeat(200)}\u001b[31m from 192.0.2.2 port 3`];
    const [user] = summariseFailedLogins(lines).users;
    expect(user!.user).toHaveLength(64);
    expect(user!.user).not.toMatch(/\u001b/);
  });

  it('finds nothing in a log without failures', () => {
    expect(
      summariseFailedLogins(['Mar  3 10:00:00 h sshd[9]: Accepted publickey for a from 192.0.2.3 port 4 ssh2']),
    ).toEqual({ failed_count: 0, sources: [], users: [], distinct_sources: 0, distinct_users: 0, lines_read: 1 });
  });
});
