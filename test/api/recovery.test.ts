// Nothing acknowledged is lost across a restart: a ticket committed but never processed is picked up at start,
// and one cut off while executing goes to a human instead of being run again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteStore } from '../../src/adapters/store/open-store.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startTestRuntime, waitForTicket } from '../helpers/test-runtime.ts';

describe('recovery at start', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-recovery-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('processes tickets left new and escalates tickets left executing', { timeout: 120_000 }, async () => {
    const opened = await openPgliteStore({ dataDir, logger: silentLogger });
    const waiting = (
      await opened.store.create({
        description: 'disk is full on this host',
        requester: 'r',
        source: 'api',
        dryRun: false,
        context: {},
      })
    ).ticket;
    const cut = (
      await opened.store.create({ description: 'shop down', requester: 'r', source: 'api', dryRun: false, context: {} })
    ).ticket;
    await opened.store.apply(cut.id, {
      transition: { from: 'new', to: 'executing', via: ['triaged', 'planned'] },
      audit: [],
    });
    await opened.close();

    const t = await startTestRuntime('pglite', { TWISTERLAB_DATA_DIR: dataDir });
    try {
      const processed = await waitForTicket(t.app, waiting.id);
      // Settled by the loop: no fault found on a disk with room, or a fix (or a hand-over) where this host's disk is full.
      expect(['no_fault_found', 'resolved', 'escalated']).toContain(processed.ticket.status);
      expect(processed.audit.map((a) => a.toStatus)).toContain('diagnosing');
      expect(processed.ticket.analysis?.category).toBe('storage');
      expect(processed.steps.length).toBeGreaterThan(0);
      const interrupted = await waitForTicket(t.app, cut.id);
      expect(interrupted.ticket.status).toBe('escalated');
      expect(interrupted.ticket.escalationReason).toMatch(/interrupted while executing/);
      // Never analysed: described from its own words, to the default desk, with what is left in plain words.
      expect(interrupted.ticket.team).toBe('service desk');
      expect(interrupted.ticket.handoffSummary).toMatch(
        /^Request: the requester wrote: "shop down" \(not analysed before it came to a person\)\n/,
      );
      expect(interrupted.ticket.handoffSummary).toMatch(
        /^Left to do: the work on it stopped \(executing\) and no stored plan is left to go on from: /m,
      );
      expect(interrupted.ticket.handoffSummary).toMatch(/\nTeam: service desk$/);
      expect(interrupted.steps).toHaveLength(0);
    } finally {
      await t.close();
    }
  });
});
