import { describe, it, expect } from 'vitest';
import { extractContext } from './context-extractor.ts';

const known = {
  devices: ['web01', 'db01', 'db01-replica', 'Build-Agent'],
  services: ['postgres', 'billing api', 'billing', 'redis'],
};

describe('extractContext', () => {
  it('finds URLs, IPv4 addresses, host names and host:port pairs', () => {
    const context = extractContext(
      'See https://status.example.com/incidents/42 — db01.example.com:5432 and 10.0.0.12 time out, cache at redis-main:6379.',
      {},
      { devices: [], services: [] },
    );
    expect(context.found).toEqual([
      { kind: 'url', value: 'https://status.example.com/incidents/42', port: 443, portStated: false, source: 'text' },
      { kind: 'host', value: 'db01.example.com', port: 5432, portStated: true, source: 'text' },
      { kind: 'ip', value: '10.0.0.12', source: 'text' },
      { kind: 'host', value: 'redis-main', port: 6379, portStated: true, source: 'text' },
    ]);
    expect(context.url).toBe('https://status.example.com/incidents/42');
  });

  it.each([
    ['a full stop', 'Open https://example.com/a/b.', 'https://example.com/a/b'],
    ['a closing parenthesis', '(see https://example.com/page)', 'https://example.com/page'],
    ['a comma and quote', 'links: "https://example.com/x?y=1",', 'https://example.com/x?y=1'],
    [
      'a balanced parenthesis it keeps',
      'read https://en.wikipedia.org/wiki/Foo_(bar).',
      'https://en.wikipedia.org/wiki/Foo_(bar)',
    ],
  ])('strips trailing punctuation from a URL ending in %s', (_label, text, url) => {
    expect(extractContext(text, {}, known).url).toBe(url);
  });

  it('does not take file names, abbreviations, emails or version numbers for hosts and IPs', () => {
    const context = extractContext(
      'Edit config.yaml and app.settings.json (node.js, e.g. notes.txt), mail ops@corp.example.com, build v1.2.3.4, 1.2.3.4.5, 300.1.1.1',
      {},
      known,
    );
    expect(context.found).toEqual([]);
  });

  it('names a configured device and service, case-insensitively and as whole words', () => {
    const context = extractContext('The Billing API on WEB01 is slow; web010 and predb01 are unrelated', {}, known);
    expect(context).toMatchObject({ deviceId: 'web01', serviceName: 'billing api' });
    expect(context.found).toEqual([
      { kind: 'service', value: 'billing api', source: 'text', match: 'exact' },
      { kind: 'device', value: 'web01', source: 'text', match: 'exact' },
    ]);
  });

  it('prefers the longest configured name where names overlap', () => {
    const context = extractContext('db01-replica is lagging behind', {}, known);
    expect(context.deviceId).toBe('db01-replica');
    expect(context.found).toEqual([{ kind: 'device', value: 'db01-replica', source: 'text', match: 'exact' }]);
  });

  it('leaves deviceId empty when several devices are named', () => {
    const context = extractContext('Copy the dump from db01 to web01', {}, known);
    expect(context.deviceId).toBeUndefined();
    expect(context.found.map((f) => f.value)).toEqual(['db01', 'web01']);
  });

  it('takes the first service mentioned when several are', () => {
    expect(extractContext('redis is fine but postgres refuses connections', {}, known).serviceName).toBe('redis');
  });

  it('returns the configured spelling of a name', () => {
    expect(extractContext('build-agent ran out of disk', {}, known).deviceId).toBe('Build-Agent');
  });

  it('lets given values win over extracted ones and marks their source', () => {
    const context = extractContext(
      'web01 and redis are down, see https://status.example.com',
      { deviceId: 'db01', serviceName: 'postgres', url: 'https://given.example.com/' },
      known,
    );
    expect(context).toMatchObject({ deviceId: 'db01', serviceName: 'postgres', url: 'https://given.example.com/' });
    expect(context.found).toEqual([
      { kind: 'device', value: 'db01', source: 'given' },
      { kind: 'service', value: 'postgres', source: 'given' },
      { kind: 'url', value: 'https://given.example.com/', source: 'given', port: 443, portStated: false },
      { kind: 'device', value: 'web01', source: 'text', match: 'exact' },
      { kind: 'service', value: 'redis', source: 'text', match: 'exact' },
      { kind: 'url', value: 'https://status.example.com', source: 'text', port: 443, portStated: false },
    ]);
  });

  it('lists a repeated finding once', () => {
    const context = extractContext('10.0.0.1 then 10.0.0.1 again, web01 and WEB01', {}, known);
    expect(context.found).toEqual([
      { kind: 'ip', value: '10.0.0.1', source: 'text' },
      { kind: 'device', value: 'web01', source: 'text', match: 'exact' },
    ]);
  });

  it('returns only the found list for text with nothing in it', () => {
    expect(extractContext('my screen is blank', {}, known)).toEqual({ found: [] });
  });

  it.each([
    ['dotted labels', 'a.'.repeat(50_000)],
    ['one long word', 'a'.repeat(100_000)],
    ['hyphen runs', 'a-'.repeat(50_000)],
    ['repeated schemes', 'http://'.repeat(14_300)],
    ['digits and dots', '1.'.repeat(50_000)],
    ['colons', 'a:1'.repeat(33_000)],
    ['a URL ending in brackets', `https://example.com/${')'.repeat(100_000)}`],
    ['a long host name', `${'ab.'.repeat(33_000)}-`],
    ['near-device names', 'web0'.repeat(25_000)],
    ['near-service words', 'billin pricng '.repeat(7_000)],
  ])('reads 100 KB of %s in one pass', (_label, text) => {
    // No clock here: a pattern that backtracked on this input would take minutes and hit the test's timeout.
    const context = extractContext(text, {}, known);
    expect(context.found.length).toBeLessThanOrEqual(1);
  });

  it('caps the findings of one kind on a ticket full of addresses', () => {
    const text = Array.from({ length: 200 }, (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}`).join(' ');
    expect(extractContext(text, {}, known).found).toHaveLength(25);
  });
});
