import { describe, expect, it } from 'vitest';
import { hostOfHeader, isOwnHost, parseHostName } from './host-names.ts';

describe('parseHostName', () => {
  it('normalises names and the address forms a browser sends', () => {
    expect(parseHostName(' Console.Example.COM. ')).toBe('console.example.com');
    expect(parseHostName('127.0.0.1')).toBe('127.0.0.1');
    expect(parseHostName('[::1]')).toBe('::1');
    expect(parseHostName('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(parseHostName('twister_lab')).toBe('twister_lab');
  });

  it('refuses what is not a plain name or address: shorthand IPv4, numeric last labels, schemes, ports, paths', () => {
    for (const bad of [
      '0x7f.1',
      '127.1',
      '2130706433',
      '1.2.3.0x4',
      'a.123',
      'http://x',
      'x:80',
      'x/y',
      'a b',
      '',
      '-x',
      '[::1',
      '::1]',
      '[127.0.0.1]',
      'fe80::1%eth0',
    ]) {
      expect(parseHostName(bad), bad).toBeUndefined();
    }
  });
});

describe('hostOfHeader', () => {
  it('reads a Host header with or without a port', () => {
    expect(hostOfHeader('localhost:8000')).toBe('localhost');
    expect(hostOfHeader('LOCALHOST')).toBe('localhost');
    expect(hostOfHeader('127.0.0.1:1')).toBe('127.0.0.1');
    expect(hostOfHeader('[::1]:65535')).toBe('::1');
    expect(hostOfHeader('[::1]')).toBe('::1');
  });

  it('refuses empty, malformed and out-of-range headers', () => {
    for (const bad of [
      undefined,
      '',
      ' ',
      ':8000',
      'localhost:',
      'localhost:0',
      'localhost:65536',
      'localhost:8000:1',
      '::1',
      '::1:8000',
      'localhost:80x',
      'user@localhost',
      'localhost/x',
      'localhost, evil.example',
      'localhost evil.example',
      '[::1]x',
      'localhost:123456',
    ]) {
      expect(hostOfHeader(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('isOwnHost', () => {
  it('answers to localhost, loopback addresses and the configured names only', () => {
    for (const own of ['localhost', '127.0.0.1', '127.8.9.10', '::1', 'console.internal'])
      expect(isOwnHost(own, ['console.internal']), own).toBe(true);
    for (const other of [
      'evil.example',
      '127.0.0.1.nip.io',
      'localhost.evil.example',
      'app.localhost',
      '10.0.0.1',
      '0.0.0.0',
      '::',
      '::ffff:7f00:1',
      'console.internal.evil',
    ]) {
      expect(isOwnHost(other, ['console.internal']), other).toBe(false);
    }
  });
});
