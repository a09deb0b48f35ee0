import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { ENV_VARIABLES, loadClientConfig, loadConfig } from './config.ts';
import { ROLES } from './core/access.ts';

const hash = (key: string) => `h:${key}`;

describe('browser configuration', () => {
  it('defaults to Debian Chromium, no allowed internal hosts, 15 s visits, scripts off, 64 KiB of text', () => {
    expect(loadConfig({}, hash).browser).toEqual({
      allow: { hosts: [], cidrs: [], endpoints: [] },
      executablePath: '/usr/bin/chromium',
      timeoutMs: 15_000,
      javaScript: false,
      textCap: 65_536,
    });
  });

  it('reads TWISTERLAB_BROWSER_ALLOW as host names and CIDR blocks', () => {
    const { allow } = loadConfig({ TWISTERLAB_BROWSER_ALLOW: 'intranet.example, 10.1.0.0/16, fd00::/8' }, hash).browser;
    expect(allow.hosts).toEqual(['intranet.example']);
    expect(allow.cidrs.map((c) => c.prefix)).toEqual([16, 8]);
  });

  it('stops on a malformed entry, naming the variable and the entry', () => {
    expect(() => loadConfig({ TWISTERLAB_BROWSER_ALLOW: '10.0.0.0/8, 0x7f.1' }, hash)).toThrow(
      /TWISTERLAB_BROWSER_ALLOW: "0x7f.1"/,
    );
    expect(() => loadConfig({ TWISTERLAB_BROWSER_TIMEOUT_MS: '10' }, hash)).toThrow(/TWISTERLAB_BROWSER_TIMEOUT_MS/);
  });

  it('reads entries with a port as open on that port only, and names a bad port with its variable', () => {
    const { allow } = loadConfig(
      { TWISTERLAB_BROWSER_ALLOW: 'intranet.example:8443, 10.1.0.5:80, [fd00::1]:443' },
      hash,
    ).browser;
    expect(allow.endpoints.map((e) => e.port)).toEqual([8443, 80, 443]);
    expect(allow.hosts).toEqual([]);
    expect(() => loadConfig({ TWISTERLAB_BROWSER_ALLOW: 'intranet.example:70000' }, hash)).toThrow(
      /TWISTERLAB_BROWSER_ALLOW: "intranet.example:70000": the port must be 1 to 65535/,
    );
    expect(() => loadConfig({ TWISTERLAB_PROBE_ALLOW: 'db.internal:ssh' }, hash)).toThrow(
      /TWISTERLAB_PROBE_ALLOW: "db.internal:ssh" is neither/,
    );
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
    expect(
      loadConfig(
        { HOST: '::1', TWISTERLAB_ALLOWED_HOSTS: ' Console.Internal. , 10.1.2.3, [fd00::1], console.internal' },
        hash,
      ).allowedHosts,
    ).toEqual(['console.internal', '10.1.2.3', 'fd00::1', '::1']);
    expect(loadConfig({ HOST: '0.0.0.0', TWISTERLAB_API_KEYS: 'a:admin:0123456789abcdef' }, hash).allowedHosts).toEqual(
      [],
    );
  });

  it('stop the start on an entry that is not a plain name or address, naming the variable and the entry', () => {
    for (const bad of [
      'http://console.internal',
      'console.internal:8000',
      '0x7f.1',
      'a b',
      '*.internal',
      'console.internal/x',
    ]) {
      expect(() => loadConfig({ TWISTERLAB_ALLOWED_HOSTS: `ok.internal, ${bad}` }, hash), bad).toThrow(
        `TWISTERLAB_ALLOWED_HOSTS: "${bad}" is not a host name or an IP address`,
      );
    }
  });
});

describe('secrets from files (*_FILE)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-secrets-'));
  const file = (name: string, text: string) => {
    const at = path.join(dir, name);
    writeFileSync(at, text, { mode: 0o600 });
    return at;
  };

  it('read each secret from the file its _FILE variable names, without the trailing newline', () => {
    const config = loadConfig(
      {
        TWISTERLAB_API_KEYS_FILE: file('keys', 'ops:admin:0123456789abcdef\n'),
        DATABASE_URL_FILE: file('db', 'postgresql://app:s3cret@127.0.0.1:5432/app\r\n'),
        REDIS_URL_FILE: file('redis', 'redis://:pw@127.0.0.1:6379\n'),
        OPENAI_COMPAT_BASE_URL: 'http://127.0.0.1:9/v1',
        OPENAI_COMPAT_MODEL: 'm',
        OPENAI_COMPAT_API_KEY_FILE: file('llm', 'sk-abc\n'),
        TWISTERLAB_API_KEY_FILE: file('client', 'client-key-0001\n'),
      },
      hash,
    );
    expect(config.apiKeys).toEqual([{ name: 'ops', role: 'admin', sha256: 'h:0123456789abcdef' }]);
    expect(config.databaseUrl).toBe('postgresql://app:s3cret@127.0.0.1:5432/app');
    expect(config.redis?.url).toBe('redis://:pw@127.0.0.1:6379');
    expect(config.llm?.apiKey).toBe('sk-abc');
    expect(config.apiKey).toBe('client-key-0001');
    expect(loadClientConfig({ TWISTERLAB_API_KEY_FILE: file('client2', 'client-key-0002\n') }).apiKey).toBe(
      'client-key-0002',
    );
  });

  it('refuse a secret set both ways, or a file that cannot be read, naming the variable', () => {
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgresql://h/db', DATABASE_URL_FILE: file('db2', 'postgresql://h/db') }, hash),
    ).toThrow('DATABASE_URL_FILE: DATABASE_URL is set too: set one of them');
    const missing = path.join(dir, 'nope');
    expect(() => loadConfig({ TWISTERLAB_API_KEYS_FILE: missing }, hash)).toThrow(
      `TWISTERLAB_API_KEYS_FILE: cannot read ${missing} (ENOENT)`,
    );
    expect(() => loadConfig({ REDIS_URL_FILE: dir }, hash)).toThrow(`REDIS_URL_FILE: cannot read ${dir} (EISDIR)`);
    expect(() => loadClientConfig({ TWISTERLAB_API_KEY: 'a', TWISTERLAB_API_KEY_FILE: file('c3', 'b') })).toThrow(
      /^TWISTERLAB_API_KEY_FILE: TWISTERLAB_API_KEY is set too/,
    );
  });

  it('validate what the file holds like the variable, naming the variable and not the secret', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL_FILE: file('db3', 'mysql://root:hunter2@db/app\n') }, hash);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('DATABASE_URL: must be a postgresql:// URL');
    expect(() => loadConfig({ TWISTERLAB_API_KEYS_FILE: file('keys2', 'ops:admin:short\n') }, hash)).toThrow(
      'TWISTERLAB_API_KEYS: the key of ops is shorter than 16 characters',
    );
  });

  it('reach the secrets the services file names by reference too', () => {
    const config = loadConfig({ SHOP_DB_PASSWORD_FILE: file('shop', 'pa55word\n'), OTHER: 'x', EMPTY: '' }, hash);
    expect(config.secretEnv('SHOP_DB_PASSWORD')).toBe('pa55word');
    expect(config.secretEnv('OTHER')).toBe('x');
    expect(config.secretEnv('EMPTY')).toBeUndefined();
    expect(config.secretEnv('UNSET')).toBeUndefined();
  });

  it('are listed among the variables read, each secret with its _FILE twin', () => {
    for (const name of [
      'TWISTERLAB_API_KEYS',
      'TWISTERLAB_API_KEY',
      'DATABASE_URL',
      'REDIS_URL',
      'OPENAI_COMPAT_API_KEY',
    ]) {
      expect(ENV_VARIABLES).toContain(name);
      expect(ENV_VARIABLES).toContain(`${name}_FILE`);
    }
    expect(ENV_VARIABLES).not.toContain('PORT_FILE');
  });
});

describe('the schema', () => {
  it('names the variable of a bad value in every section, nested ones included', () => {
    for (const [variable, value] of [
      ['PORT', 'eighty'],
      ['DATABASE_POOL_SIZE', '0'],
      ['TWISTERLAB_MCP_STDIO_ROLE', 'root'],
      ['TWISTERLAB_BACKLOG_LIMIT', '0'],
      ['TWISTERLAB_BROWSER_JAVASCRIPT', 'maybe'],
      ['OLLAMA_BASE_URL', 'ftp://x'],
      ['TWISTERLAB_REDIS_PREFIX', 'a b'],
      ['TWISTERLAB_NOTIFY_BATCH', '0'],
      ['TWISTERLAB_CONFIG_BASELINES', 'web'],
      ['TWISTERLAB_LOCAL_PATH', 'bin'],
      ['TWISTERLAB_SPAWN_HELPER', 'fast'],
    ] as const) {
      expect(() => loadConfig({ [variable]: value, TWISTERLAB_NOTIFY_FILE: 'n.yaml' }, hash), variable).toThrow(
        new RegExp(`^${variable}: `),
      );
    }
  });

  it("takes the roles from core's single list", () => {
    for (const role of ROLES) expect(loadConfig({ TWISTERLAB_MCP_STDIO_ROLE: role }, hash).mcpStdioRole).toBe(role);
    expect(() => loadConfig({ TWISTERLAB_API_KEYS: 'a:root:0123456789abcdef' }, hash)).toThrow(
      `roles are ${[...ROLES].reverse().join(', ')}`,
    );
  });

  it('leaves sections off when their switch is unset: no Redis, no model, no channels file', () => {
    const config = loadConfig({ TWISTERLAB_QUEUE_LOCK_MS: '1000' }, hash);
    expect([config.redis, config.llm, config.notify.file]).toEqual([undefined, undefined, undefined]);
  });
});

describe('the CLI client configuration', () => {
  it('reads only where the API is and the key, whatever the server settings say', () => {
    const env = {
      HOST: '0.0.0.0',
      PORT: '8100',
      TWISTERLAB_BROWSER_TIMEOUT_MS: '1',
      API_KEY_HEADER: 'X-Team-Key',
      TWISTERLAB_API_KEY: 'k',
    };
    expect(() => loadConfig(env, hash)).toThrow();
    expect(loadClientConfig(env)).toEqual({ apiUrl: 'http://127.0.0.1:8100', apiKey: 'k', apiKeyHeader: 'x-team-key' });
    expect(loadClientConfig({ TWISTERLAB_URL: 'https://support.example/' }).apiUrl).toBe('https://support.example/');
    expect(() => loadClientConfig({ TWISTERLAB_URL: 'not a url' })).toThrow(/^TWISTERLAB_URL: /);
  });
});
