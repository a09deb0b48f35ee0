// A declared service or device is trusted on its own port only: the probes of the monitoring agent may not turn
// it into a loopback port scanner. A runtime declares a service on 127.0.0.1:A and an SSH device on
// 127.0.0.1:D (a real sshd); real listeners on other loopback ports count every connection that reaches them.
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSshd, type TestSshd, writeEdgeInventory } from '../helpers/sshd.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

type Result = { ok: true; output: Record<string, any> } | { ok: false; error: { code: string; message: string } };

let sshd: TestSshd;
let rt: TestRuntime;
const servers: Server[] = [];
/** Connections accepted, per port. */
const accepted = new Map<number, number>();
let declaredPort: number;
const otherPorts: number[] = [];

async function listener(): Promise<number> {
  const server = createServer((socket) => {
    const port = (server.address() as { port: number }).port;
    accepted.set(port, (accepted.get(port) ?? 0) + 1);
    socket.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  declaredPort = await listener();
  for (let i = 0; i < 5; i++) otherPorts.push(await listener());
  sshd = await startTestSshd({ logCommands: false });
  const inventory = path.join(sshd.dir, 'devices.yaml');
  writeEdgeInventory(inventory, sshd);
  rt = await startTestRuntime('pglite', {
    TWISTERLAB_DEVICES_FILE: inventory,
    TWISTERLAB_SERVICES: `app=http://127.0.0.1:${declaredPort}/health`,
  });
}, 180_000);

afterAll(async () => {
  await rt?.close();
  await sshd?.stop();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

const invoke = (id: string, input: unknown) =>
  rt.runtime.registry.invoke(id, input, { actor: 'test' }) as Promise<Result>;

// Every spelling of loopback a caller could try instead of the declared one.
const SPELLINGS = [
  '127.0.0.1',
  'localhost',
  '[::ffff:127.0.0.1]',
  '::ffff:7f00:1',
  '2130706433',
  '0x7f.1',
  '127.1',
  '0177.0.0.1',
  'LOCALHOST.',
];

describe('probes to other ports of a declared host', () => {
  it('refuses every other port with a listener, in every spelling of the host, from here and from the device, and none is connected to', async () => {
    const admitted: string[] = [];
    for (const port of [...otherPorts, 22, 80, 5432, 6379]) {
      for (const host of SPELLINGS) {
        const probes: Array<[string, unknown]> = [
          ['monitoring.check_reachability', { host, port, timeout_ms: 500 }],
          ['monitoring.check_reachability', { host, port, device_id: 'edge', timeout_ms: 500 }],
          ['monitoring.check_reachability', { host, port, device_id: 'local', timeout_ms: 500 }],
          ['monitoring.check_certificate', { host, port }],
        ];
        for (const [id, input] of probes) {
          const result = await invoke(id, input);
          if (result.ok || result.error.code !== 'TARGET_NOT_ALLOWED')
            admitted.push(`${id} ${host}:${port} -> ${JSON.stringify(result)}`);
        }
      }
    }
    expect(admitted).toEqual([]);
    expect(otherPorts.map((port) => accepted.get(port) ?? 0)).toEqual(otherPorts.map(() => 0));
  }, 120_000);

  it('reaches the declared port of the service, from here and from the device', async () => {
    const before = accepted.get(declaredPort) ?? 0;
    const result = await invoke('monitoring.check_reachability', {
      host: '127.0.0.1',
      port: declaredPort,
      device_id: 'edge',
    });
    expect(result).toMatchObject({
      ok: true,
      output: { from_platform: { reachable: true }, from_device: { device_id: 'edge', reachable: true } },
    });
    // The listener learns of the device's connection a moment after the probe answers: wait for it, then count.
    for (let i = 0; i < 200 && (accepted.get(declaredPort) ?? 0) < before + 2; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    expect(accepted.get(declaredPort)).toBe(before + 2);
    expect(await invoke('monitoring.check_reachability', { host: '0x7f.1', port: declaredPort })).toMatchObject({
      ok: true,
      output: { host: '127.0.0.1', from_platform: { reachable: true } },
    });
  });

  it('reaches the SSH port of the device and no other port of its host', async () => {
    expect(await invoke('monitoring.check_reachability', { host: '127.0.0.1', port: sshd.port })).toMatchObject({
      ok: true,
      output: { from_platform: { reachable: true } },
    });
    expect(await invoke('monitoring.check_reachability', { host: '127.0.0.1', port: sshd.port + 1 })).toMatchObject({
      ok: false,
      error: { code: 'TARGET_NOT_ALLOWED' },
    });
  });
});
