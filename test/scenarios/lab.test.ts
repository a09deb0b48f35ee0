// The acceptance suite's own checks: the incidents are worded as users write (no runbook keyword, services
// named by what people call them), and every fixture really reproduces its fault on the real system — and
// really takes it away again — before any ticket is judged against it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinRunbooks } from '../../src/adapters/runbooks/runbook-files.ts';
import { fixturesOf, INCIDENTS, phrasingText, type Incident } from './incidents.ts';
import { Lab, SERVICE_NAMES } from './lab.ts';

const run = promisify(execFile);
const byId = (id: string) => INCIDENTS.find((i) => i.id === id)!;

describe('the incidents as data', () => {
  it('holds at least 20 incidents, of every kind, each with two to four phrasings', () => {
    expect(INCIDENTS.length).toBeGreaterThanOrEqual(20);
    expect(new Set(INCIDENTS.map((i) => i.id)).size).toBe(INCIDENTS.length);
    expect(new Set(INCIDENTS.map((i) => i.kind))).toEqual(
      new Set(['fixable', 'escalate', 'false_alarm', 'ambiguous', 'not_technical']),
    );
    for (const incident of INCIDENTS) {
      expect(incident.phrasings.length, incident.id).toBeGreaterThanOrEqual(2);
      expect(incident.phrasings.length, incident.id).toBeLessThanOrEqual(4);
    }
  });

  it('has no phrasing that contains a keyword of any shipped runbook, matched as the planner matches them', () => {
    const keywords = [...new Set(loadBuiltinRunbooks().flatMap((r) => r.keywords.map((k) => k.toLowerCase())))];
    expect(keywords.length).toBeGreaterThan(50);
    const hits = INCIDENTS.flatMap((i) =>
      i.phrasings.flatMap((p) =>
        keywords
          .filter((k) =>
            p
              .replace(/\{\w+\}/g, '27000')
              .toLowerCase()
              .includes(k),
          )
          .map((k) => `${i.id}: "${p}" contains "${k}"`),
      ),
    );
    expect(hits).toEqual([]);
  });

  it("words at least one phrasing of every incident on a declared service without the service's name", () => {
    for (const incident of INCIDENTS) {
      const names = incident.uses.map((u) => SERVICE_NAMES[u]).filter((n): n is string => n !== undefined);
      if (names.length === 0) continue;
      const unnamed = incident.phrasings.filter((p) => names.every((n) => !new RegExp(`\\b${n}\\b`, 'i').test(p)));
      expect(unnamed.length, incident.id).toBeGreaterThan(0);
    }
  });

  it('expects every real fault the platform can fix to end resolved with its finding fixed, and nothing else to be resolved', () => {
    for (const incident of INCIDENTS) {
      const resolvedExpected = [incident.expect.status].flat().includes('resolved');
      expect(resolvedExpected, incident.id).toBe(incident.kind === 'fixable');
      if (incident.kind === 'fixable')
        expect(
          incident.expect.findings?.some((f) => f.state === 'fixed'),
          incident.id,
        ).toBe(true);
      if (incident.kind !== 'fixable' && incident.kind !== 'escalate')
        expect(incident.fault, incident.id).toBeUndefined();
    }
  });
});

describe('the lab reproduces each fault on the real system', () => {
  const lab = new Lab();
  beforeAll(async () => {
    await lab.useAll(fixturesOf(INCIDENTS));
  }, 180_000);
  afterAll(async () => lab.close(), 60_000);

  const faulty = INCIDENTS.filter((i) => i.fault && !i.standing && i.id !== 'ssh-password-guessing');
  it.each(faulty.map((i) => [i.id, i] as const))(
    '%s: the app sees the fault once armed, and no longer once reset',
    async (_id, incident: Incident) => {
      expect(await incident.fault!(lab)).toBeNull();
      await incident.arrange(lab);
      try {
        expect(await incident.fault!(lab)).toEqual(expect.any(String));
      } finally {
        await incident.reset(lab);
      }
      expect(await incident.fault!(lab)).toBeNull();
    },
    60_000,
  );

  const healthy = INCIDENTS.filter((i) => !i.fault);
  it.each(healthy.map((i) => [i.id, i] as const))(
    '%s: nothing is wrong, and looking changes nothing',
    async (_id, incident: Incident) => {
      await incident.arrange(lab);
      try {
        const first = await lab.snapshot();
        expect(await lab.snapshot()).toEqual(first);
        for (const id of incident.uses) {
          const fixture = await lab.use(id);
          if ('get' in fixture) expect(await fixture.get()).toMatchObject({ status: 200 });
          if ('appWrite' in fixture) expect(await fixture.appWrite()).toBeNull();
          if ('appCheck' in fixture) expect(await fixture.appCheck()).toBeNull();
        }
      } finally {
        await incident.reset(lab);
      }
    },
    60_000,
  );

  it('refuses the CRM app role with SQLSTATE 53300 while superusers still get in', async () => {
    const crm = await lab.use('crm');
    await byId('crm-slots-reserved').arrange(lab);
    try {
      expect(await crm.appCheck()).toMatch(/53300 .*remaining connection slots are reserved/);
      const url = (crm.services[0] as { url: string }).url;
      const admin = new Client({ connectionString: url });
      await admin.connect();
      expect(
        (await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'idle in transaction'"))
          .rows[0].n,
      ).toBe(6);
      await admin.end();
    } finally {
      await byId('crm-slots-reserved').reset(lab);
    }
  }, 60_000);

  it('forms the inventory lock chain: the ALTER TABLE waits on the idle UPDATE, the screens wait on the ALTER', async () => {
    const db = await lab.use('inventory');
    await db.lockChain();
    try {
      const admin = new Client({ connectionString: (db.services[0] as { url: string }).url });
      await admin.connect();
      const { rows } = await admin.query<{
        application_name: string;
        state: string;
        blocked_by: number;
      }>(`SELECT application_name, state, cardinality(pg_blocking_pids(pid)) AS blocked_by
        FROM pg_stat_activity WHERE datname = 'inventory' AND application_name IN ('inventory-app', 'deploy-migration', 'inventory-screens') ORDER BY application_name`);
      await admin.end();
      expect(rows).toEqual([
        { application_name: 'deploy-migration', state: 'active', blocked_by: 1 },
        { application_name: 'inventory-app', state: 'idle in transaction', blocked_by: 0 },
        { application_name: 'inventory-screens', state: 'active', blocked_by: 1 },
        { application_name: 'inventory-screens', state: 'active', blocked_by: 1 },
      ]);
      expect(await db.appCheck()).toMatch(/statement timeout/);
    } finally {
      await db.clear();
    }
  }, 60_000);

  it('makes the sessions store refuse writes with OOM under noeviction', async () => {
    await byId('sessions-memory-full').arrange(lab);
    try {
      expect(await (await lab.use('sessions')).appWrite()).toMatch(/OOM command not allowed/);
    } finally {
      await byId('sessions-memory-full').reset(lab);
    }
  }, 60_000);

  it('makes the wedged shop answer 500 while its process keeps running', async () => {
    const shop = await lab.use('shop');
    const pid = shop.pid();
    await shop.wedge();
    try {
      expect(await shop.get()).toMatchObject({ status: 500 });
      expect(shop.pid()).toBe(pid);
    } finally {
      await shop.reset();
    }
  }, 60_000);

  it('fills the analytics disk so that gzip of the 42 MB culprit fails with ENOSPC', async () => {
    const disk = await lab.use('analyticsLogs');
    await byId('analytics-partial').arrange(lab);
    try {
      expect(disk.usedPercent()).toBeGreaterThan(90);
      const culprit = path.join(disk.dir, 'export-debug.log');
      await expect(run('gzip', ['-k', culprit])).rejects.toMatchObject({
        stderr: expect.stringMatching(/No space left on device/),
      });
      expect(disk.lost('export-debug.log')).toBeNull();
    } finally {
      await byId('analytics-partial').reset(lab);
    }
  }, 60_000);

  it('writes password guessing into the auth log the failed-logins runbook reads here', async () => {
    const log = await lab.use('authLog');
    const runbook = (await lab.runbooks()).find((r) => r.parameters?.log_path);
    expect(runbook?.parameters?.log_path?.default).toBe(log.path);
    await byId('ssh-password-guessing').arrange(lab);
    try {
      const { stdout } = await run('grep', ['-c', 'Failed password', log.path]);
      expect(Number(stdout)).toBeGreaterThan(50);
    } finally {
      await byId('ssh-password-guessing').reset(lab);
    }
  });

  it('serves the portal over https with a certificate this process trusts, as a company CA is trusted', async () => {
    const portal = await lab.use('portal');
    const response = await fetch(portal.page);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Staff sign-in');
  });

  it('fills in the port nothing listens on, and nothing does', async () => {
    const text = await phrasingText(lab, byId('port-not-answering'), byId('port-not-answering').phrasings[0]!);
    expect(text).toMatch(/^127\.0\.0\.1:\d+ is not answering$/);
    expect(await (await lab.use('closedPort')).open()).toBe(false);
  });
});
