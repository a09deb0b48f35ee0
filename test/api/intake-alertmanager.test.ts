// Alertmanager intake end to end: a real Alertmanager (Debian's prometheus-alertmanager) on a loopback port, its
// webhook receiver pointed at the app with a bearer key, alerts posted to its API (POST /api/v2/alerts). One ticket
// per fingerprint while open; a repeat firing is recorded on it; a resolved alert closes a ticket that only waits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket, TicketDetail } from '../../src/core/ticket-repository.ts';
import { freePort } from '../helpers/redis-server.ts';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

const KEY = 'alertmanager-operator-key-0001';
const VIEWER = 'viewer-key-000000000000002';
const auth = { 'x-api-key': KEY };

let t: TestRuntime;
let shop: Server;
let shopPort: number;
let am: ChildProcess;
let amUrl: string;
let dir: string;

async function startAlertmanager(appUrl: string): Promise<void> {
  dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-am-'));
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: twisterlab',
      "  group_by: ['alertname']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: twisterlab',
      '    webhook_configs:',
      `      - url: ${appUrl}/api/v1/intake/alertmanager`,
      '        send_resolved: true',
      '        http_config:',
      '          authorization:',
      '            type: Bearer',
      `            credentials: ${KEY}`,
      '',
    ].join('\n'),
  );
  am = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  am.stderr!.on('data', (d) => {
    log += d;
  });
  amUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    const ready = await fetch(`${amUrl}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    if (am.exitCode !== null || i > 300) throw new Error(`Alertmanager did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function postAlerts(alerts: object[]): Promise<void> {
  const response = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  expect(response.status).toBe(200);
}

async function alertTickets(): Promise<Ticket[]> {
  return (await t.app.inject({ method: 'GET', url: '/api/v1/tickets?source=alertmanager', headers: auth })).json()
    .items as Ticket[];
}

/** Waits until `check` holds of what the store has (Alertmanager delivers on its own schedule). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; ; i += 1) {
    const value = await read();
    if (check(value)) return value;
    if (i > 600) throw new Error(`${what}: not after 60 s; last ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  shopPort = await freePort();
  shop = createServer((_req, res) => res.end('ok')).listen(shopPort, '127.0.0.1');
  t = await startTestRuntime('pglite', {
    TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${shopPort}/health`,
    TWISTERLAB_API_KEYS: `alertmanager:operator:${KEY},vic:viewer:${VIEWER}`,
  });
  const appUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  await startAlertmanager(appUrl);
}, 120_000);
afterAll(async () => {
  am?.kill('SIGTERM');
  shop?.close();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const shopAlert = (instance: string, extra: object = {}) => ({
  labels: { alertname: 'ShopErrors', service: 'shop', severity: 'warning', instance },
  annotations: { summary: 'the shop answers errors to some customers' },
  generatorURL: 'http://prometheus.example/graph',
  ...extra,
});

describe('Alertmanager intake with a real Alertmanager', () => {
  it(
    'opens one ticket per fingerprint, records a repeat on it, and closes a waiting ticket when the alert resolves',
    { timeout: 240_000 },
    async () => {
      await postAlerts([shopAlert(`127.0.0.1:${shopPort}`)]);
      const [first] = await eventually(alertTickets, (items) => items.length === 1, 'the first alert as a ticket');
      expect(first).toMatchObject({
        source: 'alertmanager',
        requester: 'alertmanager',
        title: 'ShopErrors · shop',
        context: { serviceName: 'shop' },
        labels: expect.arrayContaining(['alertname=ShopErrors', 'severity=warning', `instance=127.0.0.1:${shopPort}`]),
      });
      expect(first!.externalId).toMatch(/^[0-9a-f]{16}$/);
      expect(first!.description).toContain(`Alert ShopErrors is firing for shop on 127.0.0.1:${shopPort}.`);
      expect(first!.description).toContain('Severity: warning (medium priority).');
      const settled = await waitForTicket(t.app, first!.id, 60_000, auth);
      expect(settled.ticket.status).toBe('no_fault_found');

      // A second alert of the group: Alertmanager sends both again; the first is a repeat, not a second ticket.
      await postAlerts([shopAlert('127.0.0.1:1')]);
      const both = await eventually(alertTickets, (items) => items.length === 2, 'the second alert as a ticket');
      const repeat = await eventually(
        async () =>
          (
            await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${first!.id}`, headers: auth })
          ).json() as TicketDetail,
        (d) => d.audit.some((a) => a.action === 'alert.fired_again'),
        'the repeat recorded on the first ticket',
      );
      expect(repeat.audit.find((a) => a.action === 'alert.fired_again')).toMatchObject({
        actor: 'alertmanager',
        details: { fingerprint: first!.externalId },
      });
      expect(new Set(both.map((i) => i.externalId)).size).toBe(2);

      // The first alert ends: its ticket only waited for its requester, so it is closed as nothing to fix.
      await postAlerts([
        shopAlert(`127.0.0.1:${shopPort}`, {
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(Date.now() - 1_000).toISOString(),
        }),
      ]);
      const closed = await eventually(
        async () =>
          (
            await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${first!.id}`, headers: auth })
          ).json() as TicketDetail,
        (d) => d.ticket.status === 'resolved',
        'the first ticket closed by the resolved alert',
      );
      expect(closed.ticket).toMatchObject({
        outcome: 'confirmed_no_fault',
        resolvedBy: 'alertmanager',
        resolutionNote: expect.stringMatching(/^The alert resolved itself/),
      });
      expect((await alertTickets()).length).toBe(2);
    },
  );
});

describe('Alertmanager intake, payloads as Alertmanager sends them', () => {
  const payload = (status: 'firing' | 'resolved', fingerprint: string, labels: Record<string, string>) => ({
    version: '4',
    groupKey: '{}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    status,
    receiver: 'twisterlab',
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://am.example',
    alerts: [
      {
        status,
        labels,
        annotations: { description: 'disk almost full' },
        startsAt: '2025-01-01T00:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint,
      },
    ],
  });
  const send = (body: object, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) =>
    t.app.inject({ method: 'POST', url: '/api/v1/intake/alertmanager', headers, payload: body });

  it('refuses a missing or wrong bearer key, a viewer, another payload version and the generic ticket route stays strict', async () => {
    const labels = { alertname: 'DiskFull', instance: 'db-1:9100' };
    expect((await send(payload('firing', 'aaaa000000000001', labels), {})).statusCode).toBe(401);
    expect(
      (await send(payload('firing', 'aaaa000000000001', labels), { authorization: 'Bearer not-a-key' })).statusCode,
    ).toBe(401);
    expect(
      (await send(payload('firing', 'aaaa000000000001', labels), { authorization: `Bearer ${VIEWER}` })).statusCode,
    ).toBe(403);
    const v3 = await send({ ...payload('firing', 'aaaa000000000001', labels), version: '3' });
    expect(v3.statusCode).toBe(400);
    expect(v3.json().error.message).toMatch(/version 4/);
    expect((await alertTickets()).filter((i) => i.externalId === 'aaaa000000000001')).toEqual([]);
  });

  it('records a resolved alert on a ticket that is not waiting, without closing it', async () => {
    const labels = { alertname: 'DiskFull', instance: 'db-1:9100', severity: 'critical' };
    const made = (await send(payload('firing', 'bbbb000000000002', labels))).json().results[0];
    expect(made.outcome).toBe('created');
    const detail = await waitForTicket(t.app, made.ticketId, 60_000, auth);
    expect(['escalated', 'no_fault_found']).toContain(detail.ticket.status);
    if (detail.ticket.status === 'no_fault_found') {
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/tickets/${made.ticketId}/reopen`,
        headers: auth,
        payload: { reason: 'a person looks at it' },
      });
    }
    const ended = (await send(payload('resolved', 'bbbb000000000002', labels))).json().results[0];
    expect(ended).toMatchObject({ ticketId: made.ticketId, outcome: 'resolved_recorded' });
    const after = (
      await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${made.ticketId}`, headers: auth })
    ).json() as TicketDetail;
    expect(after.ticket.status).toBe('escalated');
    expect(after.audit.at(-1)).toMatchObject({
      action: 'alert.resolved',
      details: { fingerprint: 'bbbb000000000002' },
    });
    expect((await send(payload('resolved', 'cccc000000000003', labels))).json().results[0]).toMatchObject({
      ticketId: null,
      outcome: 'resolved_unknown',
    });
  });

  it('gives a critical alert a high-priority ticket, which the analysis keeps although the words are calm', async () => {
    const labels = { alertname: 'DiskFull', instance: 'db-2:9100', severity: 'critical' };
    const made = (await send(payload('firing', 'dddd000000000004', labels))).json().results[0];
    expect(made.outcome).toBe('created');
    const detail = await waitForTicket(t.app, made.ticketId, 60_000, auth);
    expect(detail.ticket.context).toMatchObject({ priority: 'high' });
    expect(detail.ticket.priority).toBe('high');
    expect(detail.ticket.analysis?.evidence.priority[0]).toBe('given by the source: high');
  });
});

describe('Alertmanager intake with a mapping file', () => {
  it('reads other labels and another severity table from the file', async () => {
    const mapDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-am-map-'));
    const file = path.join(mapDir, 'mapping.yaml');
    writeFileSync(
      file,
      ['service: [app]', 'severity: [level]', 'priority:', '  sev1: critical', '  sev2: medium', ''].join('\n'),
    );
    const mapped = await startTestRuntime('pglite', {
      TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${shopPort}/health`,
      TWISTERLAB_API_KEYS: `alertmanager:operator:${KEY}`,
      TWISTERLAB_ALERTMANAGER_MAPPING_FILE: file,
    });
    try {
      const labels = { alertname: 'ShopDown', app: 'shop', level: 'sev1', severity: 'info' };
      const body = {
        version: '4',
        status: 'firing',
        receiver: 'twisterlab',
        alerts: [
          {
            status: 'firing',
            labels,
            annotations: { summary: 'the shop is slow for a few people' },
            fingerprint: 'eeee000000000005',
          },
        ],
      };
      const made = (
        await mapped.app.inject({ method: 'POST', url: '/api/v1/intake/alertmanager', headers: auth, payload: body })
      ).json().results[0];
      expect(made.outcome).toBe('created');
      const detail = await waitForTicket(mapped.app, made.ticketId, 60_000, auth);
      expect(detail.ticket).toMatchObject({
        title: 'ShopDown · shop',
        context: { serviceName: 'shop', priority: 'critical' },
        priority: 'critical',
      });
    } finally {
      await mapped.close();
      rmSync(mapDir, { recursive: true, force: true });
    }
  });

  it('stops the start on a bad mapping file, naming the file and the field', async () => {
    const mapDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-am-map-'));
    const file = path.join(mapDir, 'mapping.json');
    writeFileSync(file, JSON.stringify({ severity: ['level'], priority: { sev1: 'urgent' } }));
    try {
      await expect(startTestRuntime('pglite', { TWISTERLAB_ALERTMANAGER_MAPPING_FILE: file })).rejects.toThrow(
        `TWISTERLAB_ALERTMANAGER_MAPPING_FILE (${file}): priority.sev1:`,
      );
    } finally {
      rmSync(mapDir, { recursive: true, force: true });
    }
  });
});
