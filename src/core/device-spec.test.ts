import { describe, it, expect } from 'vitest';
import { normaliseHostKey, parseDeviceSpec, toDeviceView } from './device-spec.ts';

const base = {
  id: 'web-01',
  host: '10.0.0.5',
  user: 'ops',
  auth: { method: 'key', keyFile: '/etc/twisterlab/id_ed25519' },
};
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

describe('parseDeviceSpec', () => {
  it('fills defaults and parses allow rules, with a risk when given', () => {
    const spec = parseDeviceSpec(
      { ...base, allow: ['systemctl restart nginx', { rule: 'df -h', risk: 'read' }], tags: ['role:web', 'role:web'] },
      'api',
    );
    expect(spec).toMatchObject({
      port: 22,
      hostKey: null,
      maxConcurrency: 4,
      tags: ['role:web'],
      allowPassword: false,
    });
    expect(spec.allow).toEqual([
      { program: 'systemctl', args: ['restart', 'nginx'] },
      { program: 'df', args: ['-h'], risk: 'read' },
    ]);
  });

  it('accepts a fingerprint, a public key or a known_hosts line as the host key', () => {
    expect(normaliseHostKey('SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU')).toBe(
      'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
    );
    expect(normaliseHostKey(`${KEY} root@web`)).toBe(KEY);
    expect(normaliseHostKey(`[10.0.0.5]:2222 ${KEY}`)).toBe(KEY);
    expect(normaliseHostKey('not a key')).toBeUndefined();
  });

  it.each([
    [{ ...base, id: 'Web 01' }, /device "Web 01": id: must be lower-case/],
    [{ ...base, id: 'local' }, /cannot be redefined/],
    [{ ...base, port: 70000 }, /port:/],
    [{ ...base, hostKey: 'nonsense' }, /hostKey must be/],
    [{ ...base, allow: ['ls; id'] }, /allow\[0\]: allow rule "ls; id"/],
    [{ ...base, allow: ['/bin/ls'] }, /must be a bare name/],
    [{ ...base, auth: { method: 'password', password: 'x' } }, /password authentication is off/],
    [{ ...base, auth: { method: 'telnet' } }, /auth/],
    [{ ...base, shell: true }, /Unrecognized key/],
    [{ ...base, maxConcurrency: 50 }, /maxConcurrency/],
  ])('refuses %j with a message naming the device and the field', (input, message) => {
    expect(() => parseDeviceSpec(input, 'file')).toThrow(message);
  });

  it('takes inline secrets from the file only; the API gets paths', () => {
    const withPassword = { ...base, allowPassword: true, auth: { method: 'password', password: 'hunter2' } };
    expect(parseDeviceSpec(withPassword, 'file').auth).toEqual({ method: 'password', password: 'hunter2' });
    expect(() => parseDeviceSpec(withPassword, 'api')).toThrow(/secrets are not stored through the API/);
    expect(
      parseDeviceSpec({ ...withPassword, auth: { method: 'password', passwordFile: '/run/secrets/pw' } }, 'api').auth,
    ).toEqual({ method: 'password', passwordFile: '/run/secrets/pw' });
  });

  it('never shows a secret in its view', () => {
    const spec = parseDeviceSpec(
      { ...base, auth: { method: 'key', keyFile: '/k', passphrase: 'open sesame' } },
      'file',
    );
    expect(JSON.stringify(toDeviceView(spec))).not.toContain('open sesame');
    expect(toDeviceView(spec)).toMatchObject({ auth: { method: 'key', keyFile: '/k', passphrase: '[redacted]' } });
  });
});
