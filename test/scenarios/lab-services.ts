// HTTP(S) services, log directories on small disks, an auth log and a closed port for the scenarios. Services run
// as child processes started by their restart scripts; log directories are tmpfs mounts of a fixed size, so
// "the disk is full" is a real ENOSPC.
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AUTH_LOG_FIXTURE } from '../helpers/auth-log-fixture.ts';
import { freePort } from '../helpers/redis-server.ts';
import {
  isAlive,
  killHard,
  mountTmpfs,
  portOpen,
  readPid,
  runScript,
  SERVICE_SOURCE,
  serviceSpec,
  unmount,
  writeRestartScript,
} from './lab-processes.ts';
import type { Fixture, LabContext } from './lab.ts';

export type PageResult = { status: number; body: string } | { error: string };

/** GET over http or https (trusting the lab's CA), as a user's browser or the app's client would. */
export function httpGet(url: string, ca?: string): Promise<PageResult> {
  return new Promise((resolve) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { timeout: 3000, ...(ca ? { ca: readFileSync(ca) } : {}) }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end();
  });
}

/** What a user sees on the page: null when it answers 200 with the expected text. */
export const pageProblem = (result: PageResult, text: string) =>
  'error' in result
    ? `the page does not answer (${result.error})`
    : result.status !== 200
      ? `the page answers ${result.status}`
      : result.body.includes(text)
        ? null
        : `the page lacks "${text}"`;

export function hashTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const file = path.join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else
        hash
          .update(`${path.relative(dir, file)}\0`)
          .update(readFileSync(file))
          .update('\0');
    }
  };
  if (existsSync(dir)) walk(dir);
  return hash.digest('hex').slice(0, 16);
}

export interface HttpService extends Fixture {
  name: string;
  page: string;
  ca?: string;
  pid(): number;
  kill(): Promise<void>;
  /** The process keeps running but answers only 500 until it is restarted. */
  wedge(): Promise<void>;
  /** Back to the state the lab started it in: its live config, running and answering. */
  reset(): Promise<void>;
  get(): Promise<PageResult>;
  /** The text a working page shows. */
  expected: string;
  configFile?: string;
  baselineFile?: string;
  writeConfig(text: string): void;
  /** Swaps the certificate it serves (https only) and restarts it. */
  serveCertificate?(which: 'long' | 'short'): Promise<void>;
}

export interface HttpSetup {
  name: string;
  title: string;
  text: string;
  /** A phrase of the working page (checked by the lab and by the `check` an admin declares). */
  expected: string;
  /** Baseline and live config (the live one may legitimately differ). */
  config?: { baseline: Record<string, unknown>; live: Record<string, unknown>; requiredKeys: string[] };
  restartDeclared: boolean;
  tls?: {
    ca: { cert: string; key: string };
    long: { cert: string; key: string };
    short: { cert: string; key: string };
  };
  entry: Record<string, unknown>;
}

export async function startHttpService(ctx: LabContext, setup: HttpSetup): Promise<HttpService> {
  const port = await freePort();
  const dir = path.join(ctx.dir, setup.name);
  mkdirSync(dir, { recursive: true });
  const script = path.join(ctx.dir, 'service.mjs');
  if (!existsSync(script)) writeFileSync(script, SERVICE_SOURCE);
  const pidFile = path.join(dir, 'service.pid');
  let configFile: string | undefined;
  let baselineFile: string | undefined;
  const liveText = setup.config ? `${JSON.stringify(setup.config.live, null, 2)}\n` : '';
  if (setup.config) {
    mkdirSync(path.join(dir, 'config'), { recursive: true });
    mkdirSync(path.join(dir, 'baseline'), { recursive: true });
    configFile = path.join(dir, 'config', 'app.json');
    baselineFile = path.join(dir, 'baseline', 'app.json');
    writeFileSync(baselineFile, `${JSON.stringify(setup.config.baseline, null, 2)}\n`);
    writeFileSync(configFile, liveText);
  }
  const tlsDir = path.join(dir, 'tls');
  if (setup.tls) {
    mkdirSync(tlsDir, { recursive: true });
    copyFileSync(setup.tls.long.cert, path.join(tlsDir, 'current.crt'));
    copyFileSync(setup.tls.long.key, path.join(tlsDir, 'current.key'));
  }
  const scheme = setup.tls ? 'https' : 'http';
  const page = `${scheme}://127.0.0.1:${port}/`;
  const options = {
    port,
    pidFile,
    title: setup.title,
    text: setup.text,
    ...(configFile ? { configFile, requiredKeys: setup.config!.requiredKeys } : {}),
    ...(setup.tls ? { tls: { cert: path.join(tlsDir, 'current.crt'), key: path.join(tlsDir, 'current.key') } } : {}),
  };
  const restart = writeRestartScript(
    ctx.bin,
    `restart-${setup.name}`,
    serviceSpec(script, options, { http: `${page}health` }),
  );
  if (setup.restartDeclared) ctx.allow(`restart-${setup.name}`);
  if ((await runScript(restart)) !== 0) throw new Error(`lab: ${setup.name} did not start`);
  const ca = setup.tls?.ca.cert;
  const get = () => httpGet(page, ca);
  const fixture: HttpService = {
    name: setup.name,
    page,
    expected: setup.expected,
    configFile,
    baselineFile,
    ...(ca ? { ca } : {}),
    services: [
      {
        name: setup.name,
        url: page,
        page,
        ...(setup.restartDeclared ? { restart: `restart-${setup.name}` } : {}),
        ...(configFile ? { configDir: path.dirname(configFile), baselineDir: path.dirname(baselineFile!) } : {}),
        check: { status: 200, body: setup.expected },
        ...setup.entry,
      },
    ],
    pid: () => readPid(pidFile),
    kill: () => killHard(readPid(pidFile)),
    wedge: async () => {
      process.kill(readPid(pidFile), 'SIGUSR2');
      // The signal is handled on the service's next loop turn: wait until it answers as a wedged process does.
      for (let i = 0; i < 100; i += 1) {
        const now = await get();
        if ('status' in now && now.status === 500) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    get,
    writeConfig: (text) => writeFileSync(configFile!, text),
    reset: async () => {
      if (configFile) writeFileSync(configFile, liveText);
      const now = await get();
      if (isAlive(readPid(pidFile)) && pageProblem(now, setup.expected) === null) return;
      if ((await runScript(restart)) !== 0) throw new Error(`lab: ${setup.name} did not come back`);
    },
    snapshot: async () => ({
      [`${setup.name}:pid`]: isAlive(readPid(pidFile)) ? String(readPid(pidFile)) : 'dead',
      ...(configFile ? { [`${setup.name}:config`]: hashTree(path.dirname(configFile)) } : {}),
      ...(setup.tls ? { [`${setup.name}:certificate`]: hashTree(tlsDir) } : {}),
    }),
    close: () => killHard(readPid(pidFile)),
  };
  if (setup.tls) {
    const tls = setup.tls;
    fixture.serveCertificate = async (which) => {
      copyFileSync(tls[which].cert, path.join(tlsDir, 'current.crt'));
      copyFileSync(tls[which].key, path.join(tlsDir, 'current.key'));
      if ((await runScript(restart)) !== 0)
        throw new Error(`lab: ${setup.name} did not restart with its ${which} certificate`);
    };
  }
  return fixture;
}

export interface LogDisk extends Fixture {
  dir: string;
  /** Used share of the file system holding the directory, in %. */
  usedPercent(): number;
  /** Null when the file's content is still there (live, or in its first archive). */
  lost(name: string): string | null;
  write(name: string, content: Buffer | string): void;
  clear(): void;
}

/** A service's log directory on a tmpfs of `size` (e.g. "16m"); the service itself is `service`. */
export async function startLogDisk(ctx: LabContext, service: HttpService, size: string): Promise<LogDisk> {
  const dir = path.join(ctx.dir, service.name, 'logs');
  mkdirSync(dir, { recursive: true });
  await mountTmpfs(dir, size);
  const hashes = new Map<string, string>();
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  (service.services[0] as Record<string, unknown>).logDir = dir;
  const fixture: LogDisk = {
    dir,
    services: [],
    usedPercent: () => {
      const s = statfsSync(dir);
      return Math.round(((s.blocks - s.bfree) / s.blocks) * 1000) / 10;
    },
    write: (name, content) => {
      const data = Buffer.from(content);
      writeFileSync(path.join(dir, name), data);
      hashes.set(name, sha(data));
    },
    lost: (name) => {
      const want = hashes.get(name);
      const live = path.join(dir, name);
      if (existsSync(live) && sha(readFileSync(live)) === want) return null;
      try {
        if (sha(gunzipSync(readFileSync(`${live}.1.gz`))) === want) return null;
      } catch {
        /* no archive, or a broken one */
      }
      return `the content of ${name} is gone (neither the live file nor ${name}.1.gz holds it)`;
    },
    clear: () => {
      for (const name of readdirSync(dir)) rmSync(path.join(dir, name), { recursive: true, force: true });
      hashes.clear();
    },
    snapshot: async () => ({ [`${service.name}:logs`]: hashTree(dir) }),
    close: async () => {
      await unmount(dir);
    },
  };
  return fixture;
}

/** Log lines as a busy service writes them: very repetitive, so they compress well. */
export const serviceLogLines = (service: string, bytes: number) => {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i += 1) {
    const n = i % 100; // a short cycle: gzip finds the repeats inside its 32 KB window
    const line = `2026-12-05T01:${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}Z INFO ${service} request ${n} served in ${n % 4} ms\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('').slice(0, bytes);
};

/** Incompressible data (an export a job wrote into the log directory): gzip needs as much room again. */
export const exportData = (bytes: number) => randomBytes(bytes);

export interface AuthLog extends Fixture {
  path: string;
  /** Someone tries passwords for many users from addresses nobody knows. */
  arm(): void;
  calm(): void;
}

const CALM = [
  'Dec  5 01:00:01 shop-01 CRON[900]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
  'Dec  5 01:03:30 shop-01 sshd[1005]: Accepted publickey for deploy from 10.0.0.5 port 52000 ssh2: ED25519 SHA256:abc',
  'Dec  5 01:03:30 shop-01 sshd[1005]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)',
];

export function startAuthLog(ctx: LabContext): AuthLog {
  const dir = path.join(ctx.dir, 'var-log');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'auth.log');
  const guesses = Array.from({ length: 60 }, (_, i) => {
    const user = ['root', 'admin', 'oracle', 'test', 'ubuntu'][i % 5]!;
    const ip = `203.0.113.${50 + (i % 3)}`;
    return `Dec  5 01:${String(10 + Math.floor(i / 6)).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')} shop-01 sshd[${4000 + i}]: Failed password for ${user === 'root' ? '' : 'invalid user '}${user} from ${ip} port ${40000 + i} ssh2`;
  });
  const fixture: AuthLog = {
    path: file,
    services: [],
    arm: () => writeFileSync(file, `${[...CALM, AUTH_LOG_FIXTURE, ...guesses].join('\n')}\n`),
    calm: () => writeFileSync(file, `${CALM.join('\n')}\n`),
    snapshot: async () => ({ 'auth-log': hashTree(dir) }),
    close: async () => undefined,
  };
  fixture.calm();
  return fixture;
}

export interface ClosedPort extends Fixture {
  port: number;
  open(): Promise<boolean>;
}

/** 27000, the port users reported, when nothing here listens on it; another free port otherwise. */
export async function startClosedPort(): Promise<ClosedPort> {
  const port = (await portOpen(27000)) ? await freePort() : 27000;
  return { port, services: [], open: () => portOpen(port), snapshot: async () => ({}), close: async () => undefined };
}
