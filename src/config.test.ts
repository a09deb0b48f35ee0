import { describe, it, expect } from 'vitest';
import { loadConfig } from './config.ts';

const hash = (key: string) => `h:${key}`;

describe('browser configuration', () => {
  it('defaults to Debian Chromium, no allowed internal hosts, 15 s visits, scripts off, 64 KiB of text', () => {
    expect(loadConfig({}, hash).browser).toEqual({
      allow: { hosts: [], cidrs: [], endpoints: [] }, executablePath: '/usr/bin/chromium', timeoutMs: 15_000, javaScript: false, textCap: 65_536,
    });
  });

  it('reads TWISTERLAB_BROWSER_ALLOW as host names and CIDR blocks', () => {
    const { allow } = loadConfig({ TWISTERLAB_BROWSER_ALLOW: 'intranet.example, 10.1.0.0/16, fd00::/8' }, hash).browser;
    expect(allow.hosts).toEqual(['intranet.example']);
    expect(allow.cidrs.map((c) => c.prefix)).toEqual([16, 8]);
  });

  it('stops on a malformed entry, naming the variable and the entry', () => {
    expect(() => loadConfig({ TWISTERLAB_BROWSER_ALLOW: '10.0.0.0/8, 0x7f.1' }, hash)).toThrow(/TWISTERLAB_BROWSER_ALLOW: "0x7f.1"/);
    expect(() => loadConfig({ TWISTERLAB_BROWSER_TIMEOUT_MS: '10' }, hash)).toThrow(/TWISTERLAB_BROWSER_TIMEOUT_MS/);
  });

  it('reads entries with a port as open on that port only, and names a bad port with its variable', () => {
    const { allow } = loadConfig({ TWISTERLAB_BROWSER_ALLOW: 'intranet.example:8443, 10.1.0.5:80, [fd00::1]:443' }, hash).browser;
    expect(allow.endpoints.map((e) => e.port)).toEqual([8443, 80, 443]);
    expect(allow.hosts).toEqual([]);
    expect(() => loadConfig({ TWISTERLAB_BROWSER_ALLOW: 'intranet.example:70000' }, hash)).toThrow(/TWISTERLAB_BROWSER_ALLOW: "intranet.example:70000": the port must be 1 to 65535/);
    expect(() => loadConfig({ TWISTERLAB_PROBE_ALLOW: 'db.internal:ssh' }, hash)).toThrow(/TWISTERLAB_PROBE_ALLOW: "db.internal:ssh" is neither/);
  });
});

describe('probe configuration', () => {
  it('trusts no internal host by default, and reads TWISTERLAB_PROBE_ALLOW as host names and CIDR blocks', () => {
    expect(loadConfig({}, hash).probeAllow).toEqual({ hosts: [], cidrs: [], endpoints: [] });
    const allow = loadConfig({ TWISTERLAB_PROBE_ALLOW: 'db.internal, 127.0.0.0/8' }, hash).probeAllow;
    expect(allow.hosts).toEqual(['db.internal']);
    expect(allow.cidrs.map((c) => c.prefix)).toEqual([8]);
    expect(() => loadConfig({ TWISTERLAB_PROBE_ALLOW: 'db/x' }, hash)).toThrow(/TWISTERLAB_PROBE_ALLOW: "db\/x"/);
  });
});

describe('names a keyless instance answers to', () => {
  it('are HOST (unless a wildcard) and TWISTERLAB_ALLOWED_HOSTS, normalised', () => {
    expect(loadConfig({}, hash).allowedHosts).toEqual(['127.0.0.1']);
    expect(loadConfig({ HOST: '::1', TWISTERLAB_ALLOWED_HOSTS: ' Console.Internal. , 10.1.2.3, [fd00::1], console.internal' }, hash).allowedHosts)
      .toEqual(['console.internal', '10.1.2.3', 'fd00::1', '::1']);
    expect(loadConfig({ HOST: '0.0.0.0', TWISTERLAB_API_KEYS: 'a:admin:0123456789abcdef' }, hash).allowedHosts).toEqual([]);
  });

  it('stop the start on an entry that is not a plain name or address, naming the variable and the entry', () => {
    for (const bad of ['http://console.internal', 'console.internal:8000', '0x7f.1', 'a b', '*.internal', 'console.internal/x']) {
      expect(() => loadConfig({ TWISTERLAB_ALLOWED_HOSTS: `ok.internal, ${bad}` }, hash), bad).toThrow(`TWISTERLAB_ALLOWED_HOSTS: "${bad}" is not a host name or an IP address`);
    }
  });
});
