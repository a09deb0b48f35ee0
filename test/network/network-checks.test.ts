// monitoring.check_certificate against a local TLS server whose certificate openssl makes at test time, and
// monitoring.check_reachability to listening and closed loopback ports, from this machine and from an SSH
// device (a real sshd opening the connection itself). Loopback is reached only on the port of a declared
// service or device, or on TWISTERLAB_PROBE_ALLOW; anything else internal is refused.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSshd, type TestSshd, writeEdgeInventory } from '../helpers/sshd.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

type Result = { ok: true; output: Record<string, any> } | { ok: false; error: { code: string; message: string } };
const DAY_MS = 86_400_000;

let sshd: TestSshd;
let rt: TestRuntime;
let dir: string;
const servers: Server[] = [];
let soonPort: number;
let laterPort: number;
let closedPort: number;
let soonCert: { fingerprint: string; notAfter: Date; notBefore: Date };

/** A self-signed certificate for localhost and 127.0.0.1, valid for `days`, made by the openssl CLI. */
function makeCertificate(name: string, days: number) {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      `/CN=${name}.twisterlab.test/O=TwisterLab tests`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const read = (...flags: string[]) =>
    execFileSync('openssl', ['x509', '-in', cert, '-noout', ...flags], { encoding: 'utf8' }).trim();
  return {
    key: readFileSync(key),
    cert: readFileSync(cert),
    fingerprint: read('-fingerprint', '-sha256').split('=')[1]!,
    notAfter: new Date(read('-enddate').split('=')[1]!),
    notBefore: new Date(read('-startdate').split('=')[1]!),
  };
}

async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as { port: number }).port;
}

async function tlsServer(cert: { key: Buffer; cert: Buffer }): Promise<number> {
  const server = createTlsServer({ key: cert.key, cert: cert.cert }, (socket) => socket.end());
  server.on('tlsClientError', () => undefined);
  return listen(server);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-tls-'));
  const soon = makeCertificate('soon', 5);
  soonCert = soon;
  soonPort = await tlsServer(soon);
  laterPort = await tlsServer(makeCertificate('later', 60));
  const spare = createServer();
  closedPort = await listen(spare);
  await new Promise((resolve) => spare.close(resolve));
  servers.splice(servers.indexOf(spare), 1);
  sshd = await startTestSshd({ logCommands: false });
  const inventory = path.join(sshd.dir, 'devices.yaml');
  // The device's host is 127.0.0.1, and the services' are localhost and 127.0.0.1: each trusted on its own port.
  writeEdgeInventory(inventory, sshd);
  rt = await startTestRuntime('pglite', {
    TWISTERLAB_DEVICES_FILE: inventory,
    TWISTERLAB_SERVICES: [
      `shop=https://localhost:${soonPort}/`,
      `later=https://127.0.0.1:${laterPort}/`,
      `gone=tcp://localhost:${closedPort}`,
    ].join(','),
  });
});

afterAll(async () => {
  await rt?.close();
  await sshd?.stop();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const invoke = (id: string, input: unknown, runtime = rt) =>
  runtime.runtime.registry.invoke(id, input, { actor: 'test' }) as Promise<Result>;
const output = async (id: string, input: unknown) => {
  const result = await invoke(id, input);
  if (!result.ok) throw new Error(`${id}: ${result.error.code} ${result.error.message}`);
  return result.output;
};

describe('monitoring.check_certificate', () => {
  it('reports a certificate that expires in 5 days as expiring soon, and self-signed as not authorized', async () => {
    const result = await output('monitoring.check_certificate', { host: 'localhost', port: soonPort });
    expect(result).toMatchObject({
      host: 'localhost',
      port: soonPort,
      subject: 'CN=soon.twisterlab.test, O=TwisterLab tests',
      issuer: 'CN=soon.twisterlab.test, O=TwisterLab tests',
      valid_from: soonCert.notBefore.toISOString(),
      valid_to: soonCert.notAfter.toISOString(),
      expires_soon: true,
      expired: false,
      fingerprint256: soonCert.fingerprint,
      subject_alt_names: ['DNS:localhost', 'IP Address:127.0.0.1'],
      authorized: false,
      authorization_error: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(result.days_left).toBeGreaterThanOrEqual(4);
    expect(result.days_left).toBeLessThanOrEqual(5);
    expect(result.days_left).toBe(Math.floor((soonCert.notAfter.getTime() - Date.now()) / DAY_MS));
  });

  it('judges expiry against warn_days', async () => {
    const later = await output('monitoring.check_certificate', { host: '127.0.0.1', port: laterPort });
    expect(later).toMatchObject({
      expires_soon: false,
      expired: false,
      subject: 'CN=later.twisterlab.test, O=TwisterLab tests',
    });
    expect(later.days_left).toBeGreaterThanOrEqual(59);
    expect(
      await output('monitoring.check_certificate', { host: '127.0.0.1', port: laterPort, warn_days: 90 }),
    ).toMatchObject({ expires_soon: true });
    expect(
      await output('monitoring.check_certificate', { host: 'localhost', port: soonPort, warn_days: 3 }),
    ).toMatchObject({ expires_soon: false });
  });

  it('fails with SERVICE_CHECK_FAILED when nothing speaks TLS there', async () => {
    expect(await invoke('monitoring.check_certificate', { host: '127.0.0.1', port: closedPort })).toMatchObject({
      ok: false,
      error: { code: 'SERVICE_CHECK_FAILED' },
    });
  });

  it('refuses internal hosts that are neither declared nor allowed', async () => {
    for (const host of ['127.0.0.2', '10.0.0.1', '169.254.169.254', '[::1]']) {
      expect(await invoke('monitoring.check_certificate', { host, port: laterPort }), host).toMatchObject({
        ok: false,
        error: { code: 'TARGET_NOT_ALLOWED' },
      });
    }
  });
});

describe('monitoring.check_reachability', () => {
  it('finds a listening port reachable from this machine and from the device', async () => {
    const result = await output('monitoring.check_reachability', {
      host: '127.0.0.1',
      port: soonPort,
      device_id: 'edge',
    });
    expect(result).toMatchObject({
      host: '127.0.0.1',
      port: soonPort,
      from_platform: { reachable: true },
      from_device: { device_id: 'edge', reachable: true },
    });
    expect(result.from_platform.error).toBeUndefined();
    expect(result.from_device.latency_ms).toBeGreaterThan(0);
  });

  it('finds a closed port unreachable from both, with the reason', async () => {
    const result = await output('monitoring.check_reachability', {
      host: '127.0.0.1',
      port: closedPort,
      device_id: 'edge',
    });
    expect(result.from_platform).toMatchObject({ reachable: false, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(result.from_device).toMatchObject({
      device_id: 'edge',
      reachable: false,
      error: expect.stringMatching(/refused|failure/i),
    });
  });

  it('answers for this machine alone, or with local as the device', async () => {
    expect(await output('monitoring.check_reachability', { host: 'localhost', port: soonPort })).toEqual({
      host: 'localhost',
      port: soonPort,
      from_platform: { reachable: true, latency_ms: expect.any(Number) },
    });
    const local = await output('monitoring.check_reachability', {
      host: 'localhost',
      port: closedPort,
      device_id: 'local',
    });
    expect(local.from_device).toEqual({ device_id: 'local', ...local.from_platform });
  });

  it('refuses unknown devices and internal hosts that are neither declared nor allowed', async () => {
    expect(
      await invoke('monitoring.check_reachability', { host: '127.0.0.1', port: soonPort, device_id: 'nope' }),
    ).toMatchObject({ ok: false, error: { code: 'DEVICE_NOT_FOUND' } });
    expect(
      await invoke('monitoring.check_reachability', { host: '127.0.0.2', port: soonPort, device_id: 'edge' }),
    ).toMatchObject({ ok: false, error: { code: 'TARGET_NOT_ALLOWED' } });
  });
});

describe('TWISTERLAB_PROBE_ALLOW', () => {
  it('opens the blocks it names to both checks', async () => {
    const server = createServer((socket) => socket.end());
    const port = await listen(server, '127.0.0.2');
    const allowed = await startTestRuntime('pglite', { TWISTERLAB_PROBE_ALLOW: '127.0.0.2/32' });
    try {
      expect(await invoke('monitoring.check_reachability', { host: '127.0.0.2', port }, allowed)).toMatchObject({
        ok: true,
        output: { from_platform: { reachable: true } },
      });
      expect(await invoke('monitoring.check_reachability', { host: '127.0.0.3', port }, allowed)).toMatchObject({
        ok: false,
        error: { code: 'TARGET_NOT_ALLOWED' },
      });
      expect(
        await invoke('monitoring.check_certificate', { host: '127.0.0.1', port: soonPort }, allowed),
      ).toMatchObject({ ok: false, error: { code: 'TARGET_NOT_ALLOWED' } });
    } finally {
      await allowed.close();
    }
  });
});
