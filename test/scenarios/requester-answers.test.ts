// When diagnosis finds nothing, the ticket waits for the requester: "yes, all fine" resolves it, "still broken"
// hands it to a human with their words. Nothing on the healthy service is touched either way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENTS } from './incidents.ts';
import { findingsOf, KEYS, startLabRun, waitForSettled, type LabRun } from './scenario-runner.ts';
import { fileTicket } from './scenario-kit.ts';

const requester = { 'x-api-key': KEYS.requester };
const falseAlarm = INCIDENTS.find((i) => i.id === 'web-false-alarm')!;

describe('the requester answers a ticket where no fault was found', () => {
  let run: LabRun;
  beforeAll(async () => {
    run = await startLabRun([falseAlarm]);
  }, 240_000);
  afterAll(async () => run?.close(), 120_000);

  async function noFaultFound(): Promise<string> {
    const id = await fileTicket(run.app, falseAlarm.phrasings[1]!, requester);
    const detail = await waitForSettled(run.app, id, requester);
    expect(detail.ticket.status).toBe('no_fault_found');
    expect(findingsOf(detail).filter((f) => f.state !== 'confirmed')).toEqual([]);
    return id;
  }

  it('resolves the ticket when the requester confirms all is fine, and changes nothing', async () => {
    const before = await run.lab.snapshot();
    const id = await noFaultFound();
    const answer = await run.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${id}/confirm`,
      headers: requester,
      payload: {},
    });
    expect(answer.statusCode).toBeLessThan(300);
    const detail = await waitForSettled(run.app, id, requester, 30_000, 'no_fault_found');
    expect(detail.ticket.status).toBe('resolved');
    expect(detail.steps.filter((s) => ['fix', 'backup', 'rollback'].includes(s.phase))).toEqual([]);
    expect(await run.lab.snapshot()).toEqual(before);
  }, 120_000);

  it("escalates with the requester's reason when they say it is still wrong", async () => {
    const id = await noFaultFound();
    const reason = "Still blank on my phone, and on my colleague's too";
    const answer = await run.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${id}/reopen`,
      headers: requester,
      payload: { reason },
    });
    expect(answer.statusCode).toBeLessThan(300);
    const detail = await waitForSettled(run.app, id, requester, 30_000, 'no_fault_found');
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.ticket.escalationReason).toContain('Still blank on my phone');
  }, 120_000);

  it('refuses a reopen without a reason, naming the field, and leaves the ticket waiting', async () => {
    const id = await noFaultFound();
    const answer = await run.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${id}/reopen`,
      headers: requester,
      payload: {},
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toMatch(/reason/);
    const detail = await waitForSettled(run.app, id, requester);
    expect(detail.ticket.status).toBe('no_fault_found');
  }, 120_000);
});
