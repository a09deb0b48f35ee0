// `ticket submit --wait` against a real API whose ticket cannot settle yet (its service accepts connections and
// never answers): `--timeout` gives up with exit 7, and an event stream cut on the network (the API out of reach
// afterwards) exits 6 after trying to reconnect — never 3, which says a human has the ticket. The ticket goes on.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.ts';
import { runCliWith } from '../helpers/run-cli.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

let rt: TestRuntime;
let base: string;
let silent: Server;
const held: Socket[] = [];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/**
 * A loopback proxy to the API that, once an event stream's first bytes came back, cuts every connection it
 * carries and stops listening: the stream is lost and a reconnection finds nothing there.
 */
async function cuttingProxy(target: URL): Promise<{ url: string; cut: Promise<void> }> {
  let cut!: () => void;
  const wasCut = new Promise<void>((resolve) => {
    cut = resolve;
  });
  const open = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    open.add(client).add(upstream);
    let streaming = false;
    client.on('data', (chunk: Buffer) => {
      // Keep-alive: any request on the connection may be the stream's.
      if (/^GET \/api\/v1\/tickets\/[^ ]+\/events /.test(chunk.toString('latin1'))) streaming = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      if (!streaming) return;
      proxy.close(() => cut());
      open.forEach((s) => s.destroy());
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await listen(proxy);
  return { url: `http://127.0.0.1:${port}`, cut: wasCut };
}

beforeAll(async () => {
  silent = createServer((socket) => held.push(socket));
  const port = await listen(silent);
  rt = await startTestRuntime('pglite', {
    TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${port}/health`,
    TWISTERLAB_CHECK_TIMEOUT_MS: '120000',
    TWISTERLAB_CAPABILITY_TIMEOUT_MS: '600000',
  });
  base = await rt.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  // The health checks fail at once now, and the tickets settle before the runtime closes.
  held.forEach((s) => s.destroy());
  silent?.close();
  await rt?.close();
});

const unsettled = async (id: string) =>
  !['resolved', 'escalated', 'failed', 'no_fault_found'].includes((await rt.runtime.opened.store.get(id))!.status);

describe('ticket submit --wait on a ticket that cannot settle yet', () => {
  it('--timeout gives up with exit 7, says so, and leaves the ticket going on', async () => {
    const run = await runCliWith(
      [
        'ticket',
        'submit',
        'Customers say the shop pages never finish loading',
        '--service',
        'shop',
        '--wait',
        '--timeout',
        '2s',
      ],
      new ApiClient({ baseUrl: base, apiKeyHeader: 'x-api-key' }),
    );
    const id = run.lines[0]!.split(/\s+/)[1]!;
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(
      new RegExp(
        `gave up waiting after --timeout while ticket ${id} was \\w+; it goes on: see \`twisterlab ticket show ${id}\``,
      ),
    );
    expect(run.stdout).not.toMatch(/escalated/);
    expect(await unsettled(id)).toBe(true);
  });

  it('with --json, the timeout is a JSON line too', async () => {
    const run = await runCliWith(
      [
        'ticket',
        'submit',
        'our shop is stuck loading forever',
        '--service',
        'shop',
        '--wait',
        '--timeout',
        '1500ms',
        '--json',
      ],
      new ApiClient({ baseUrl: base, apiKeyHeader: 'x-api-key' }),
    );
    expect(run.code).toBe(7);
    expect(JSON.parse(run.lines.at(-1)!)).toMatchObject({ wait: 'timeout', ticketId: expect.any(String) });
  });

  it('a stream cut on the network, with the API out of reach after, exits 6 (not 3) once reconnecting fails', async () => {
    const proxy = await cuttingProxy(new URL(base));
    const run = await runCliWith(
      ['ticket', 'submit', 'The checkout of the shop hangs for everyone', '--service', 'shop', '--wait'],
      new ApiClient({ baseUrl: proxy.url, apiKeyHeader: 'x-api-key' }),
    );
    await proxy.cut;
    const id = run.lines[0]!.split(/\s+/)[1]!;
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(
      new RegExp(`lost the event stream \\(cannot reach TwisterLab at ${proxy.url}.*\\) while ticket ${id} was`),
    );
    expect(await unsettled(id)).toBe(true);
  });
});
