// The processes of the scenario lab: a small HTTP(S) service as a child process (its pages read a JSON config
// on every request, so a bad edit breaks it at once), and the operator's restart script that stops the old
// process and starts a new one detached, returning only once it answers (like `systemctl restart`).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The service: `/health` and `/` answer 200, or 500 when its config cannot be read or it is wedged (SIGUSR2 puts
 * it in the state of a process that lost its backend: it answers, but only errors, until it is restarted).
 */
export const SERVICE_SOURCE = `import { createServer as http } from 'node:http';
import { createServer as https } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
const o = JSON.parse(process.argv[2]);
writeFileSync(o.pidFile, String(process.pid));
let wedged = false;
process.on('SIGUSR2', () => { wedged = true; });
function settings() {
  if (!o.configFile) return { ok: true, values: {} };
  try {
    const values = JSON.parse(readFileSync(o.configFile, 'utf8'));
    const missing = (o.requiredKeys || []).find((k) => !(k in values));
    return missing ? { ok: false } : { ok: true, values };
  } catch { return { ok: false }; }
}
const handler = (req, res) => {
  const s = settings();
  res.setHeader('content-type', 'text/html');
  if (wedged || !s.ok) {
    res.statusCode = 500;
    res.end('<html><head><title>Error</title></head><body>Internal Server Error</body></html>');
    return;
  }
  if (req.url === '/health') { res.end('ok'); return; }
  const v = s.values;
  if (typeof v.vat_percent === 'number') v.widget = (10 * (1 + v.vat_percent / 100)).toFixed(2);
  const body = o.text.replace(/\\{(\\w+)\\}/g, (_, k) => String(v[k] ?? ''));
  res.end('<html><head><title>' + o.title + '</title></head><body>' + body + '</body></html>');
};
const server = o.tls ? https({ cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) }, handler) : http(handler);
server.listen(o.port, '127.0.0.1');
`;

export interface ServiceOptions {
  port: number;
  pidFile: string;
  title: string;
  /** Page text; `{key}` is replaced by the config's value (and `{widget}` by a price with the config's VAT). */
  text: string;
  configFile?: string;
  requiredKeys?: string[];
  tls?: { cert: string; key: string };
}

/** How a restart script checks that what it started is up: an HTTP(S) GET answering < 400, or a Redis PING. */
export type Readiness = { http: string } | { redisPort: number };

export interface RestartSpec {
  pidFile: string;
  command: string;
  args: string[];
  ready: Readiness;
}

const restartSource = (node: string, spec: RestartSpec) => `#!${node}
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
const spec = ${JSON.stringify(spec)};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => { try { process.kill(pid, 0); return !/\\) Z /.test(readFileSync('/proc/' + pid + '/stat', 'utf8')); } catch { return false; } };
const old = existsSync(spec.pidFile) ? Number(readFileSync(spec.pidFile, 'utf8')) : 0;
if (old && alive(old)) {
  process.kill(old, 'SIGTERM');
  for (let i = 0; i < 100 && alive(old); i += 1) await sleep(50);
  if (alive(old)) process.kill(old, 'SIGKILL');
}
const child = spawn(spec.command, spec.args, { detached: true, stdio: 'ignore' });
writeFileSync(spec.pidFile, String(child.pid));
child.unref();
const ping = (port) => new Promise((resolve) => {
  const s = connect({ host: '127.0.0.1', port }, () => s.write('PING\\r\\n'));
  s.once('data', (d) => { s.destroy(); resolve(String(d).startsWith('+PONG')); });
  s.once('error', () => resolve(false));
  s.setTimeout(1000, () => { s.destroy(); resolve(false); });
});
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const ready = () => (spec.ready.http ? fetch(spec.ready.http).then((r) => r.status < 400, () => false) : ping(spec.ready.redisPort));
for (let i = 0; i < 100; i += 1) {
  if (await ready()) process.exit(0);
  await sleep(50);
}
console.error('started, but it does not answer as it should');
process.exit(1);
`;

/** Writes an executable restart script named `name` into `bin`; returns its path. */
export function writeRestartScript(bin: string, name: string, spec: RestartSpec): string {
  const file = path.join(bin, name);
  writeFileSync(file, restartSource(process.execPath, spec));
  chmodSync(file, 0o755);
  return file;
}

export const serviceSpec = (script: string, options: ServiceOptions, ready: Readiness): RestartSpec => ({
  pidFile: options.pidFile,
  command: process.execPath,
  args: [script, JSON.stringify(options)],
  ready,
});

/** Runs a restart script as the operator would; resolves with its exit code. */
export async function runScript(file: string): Promise<number> {
  try {
    await run(file, [], { timeout: 20_000 });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? 1;
  }
}

export function isAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export const readPid = (pidFile: string) => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0);

/** SIGKILL, then waits until the process is gone. */
export async function killHard(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 200 && isAlive(pid); i += 1) await new Promise((r) => setTimeout(r, 25));
}

/** True when something accepts TCP connections on the port. */
export const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
  });

/** A certificate for 127.0.0.1 signed by the lab's CA, valid for `days` (openssl CLI). */
export async function issueCertificate(
  dir: string,
  name: string,
  days: number,
  ca: { cert: string; key: string },
): Promise<{ cert: string; key: string }> {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    `/CN=${name}.lab.internal`,
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    // A serial of its own, at random: certificates issued at once with -CAcreateserial share one serial file, and
    // one of them may read it half written ("unable to load number").
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-days',
    String(days),
    '-out',
    cert,
    '-extfile',
    ext,
  ]);
  return { cert, key };
}

export async function issueAuthority(dir: string): Promise<{ cert: string; key: string }> {
  const key = path.join(dir, 'lab-ca.key');
  const cert = path.join(dir, 'lab-ca.crt');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '3650',
    '-subj',
    '/CN=Lab Internal CA',
  ]);
  return { cert, key };
}

export const mountTmpfs = (dir: string, size: string) =>
  run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
export const unmount = (dir: string) =>
  run('umount', ['-l', dir]).then(
    () => undefined,
    () => undefined,
  );

/**
 * Makes this process trust the lab's CA as well as the usual roots, as an admin installs a company CA on the
 * host (NODE_EXTRA_CA_CERTS is read only at process start, too late here). fetch in Node 20 goes through
 * undici's global dispatcher; a new one of the same class with the extra CA replaces it.
 */
export async function trustAuthority(caFile: string): Promise<boolean> {
  const key = Symbol.for('undici.globalDispatcher.1');
  const global = globalThis as Record<symbol, unknown>;
  if (!global[key]) await fetch('http://127.0.0.1:9/').catch(() => undefined);
  const current = global[key] as { constructor: new (options: unknown) => unknown } | undefined;
  if (!current) return false;
  const { rootCertificates } = await import('node:tls');
  global[key] = new current.constructor({ connect: { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] } });
  return true;
}
