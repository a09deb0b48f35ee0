import { describe, it, expect } from 'vitest';
import { parseServiceDeclarations, redactCredentials } from './service-declarations.ts';

describe('parseServiceDeclarations', () => {
  it('takes the kind from the scheme and keeps the target', () => {
    const text =
      'web=http://127.0.0.1:8080/health,db=postgres://postgres@127.0.0.1:5432/test,cache=redis://127.0.0.1:6379,ssh=tcp://127.0.0.1:22';
    expect(parseServiceDeclarations(text)).toEqual([
      { name: 'web', kind: 'http', target: 'http://127.0.0.1:8080/health' },
      { name: 'db', kind: 'postgres', target: 'postgres://postgres@127.0.0.1:5432/test' },
      { name: 'cache', kind: 'redis', target: 'redis://127.0.0.1:6379' },
      { name: 'ssh', kind: 'tcp', target: '127.0.0.1:22' },
    ]);
  });

  it('maps https, postgresql and rediss to their kinds and trims spaces around entries', () => {
    const services = parseServiceDeclarations(
      ' site = https://example.org , pg=postgresql://h/db , r=rediss://h:6380 ',
    );
    expect(services.map((s) => [s.name, s.kind, s.target])).toEqual([
      ['site', 'http', 'https://example.org'],
      ['pg', 'postgres', 'postgresql://h/db'],
      ['r', 'redis', 'rediss://h:6380'],
    ]);
  });

  it('keeps an IPv6 tcp target in host:port form', () => {
    expect(parseServiceDeclarations('ssh=tcp://[::1]:22')).toEqual([{ name: 'ssh', kind: 'tcp', target: '[::1]:22' }]);
  });

  it('returns no services for blank text', () => {
    expect(parseServiceDeclarations('  ')).toEqual([]);
  });

  it.each([
    ['web', 'expected name=url'],
    ['-web=http://h', 'must start with a letter or digit'],
    ['we b=http://h', 'must start with a letter or digit'],
    ['web=not a url', 'not a valid URL'],
    ['ftp=ftp://h/x', 'unsupported scheme "ftp:"'],
    ['ssh=tcp://127.0.0.1', 'needs a port'],
    ['ssh=tcp://127.0.0.1:22/x', 'only host:port'],
    ['web=http://h,,db=redis://h', 'entry 2'],
    ['web=http://a,Web=http://b', 'declared twice'],
  ])('refuses %j with CONFIG_INVALID naming the entry', (text, why) => {
    expect(() => parseServiceDeclarations(text)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(why) }),
    );
  });

  it('does not repeat credentials when it names a bad entry', () => {
    let message = '';
    try {
      parseServiceDeclarations('db=postgres://admin:s3cret@h/db,db=postgres://admin:s3cret@h/db');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('declared twice');
    expect(message).toContain('postgres://***@h/db');
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('admin');
  });
});

describe('redactCredentials', () => {
  it('hides the user-info of every URL and leaves other text alone', () => {
    expect(redactCredentials('a redis://:p@ss@h:1/0 and http://u:pw@x/y?q=a@b, plain@mail')).toBe(
      'a redis://***@h:1/0 and http://***@x/y?q=a@b, plain@mail',
    );
  });
});
