// Triage end to end: tickets about the requester's own equipment or about money, orders and sales are handed to a
// person with their team and a plain-words handoff, and nothing runs on this host for them (checked in the store:
// no step at all). A ticket about a declared service of ours is still diagnosed, and routed by its service.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/redis-server.ts';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

let t: TestRuntime;
let server: Server;

const ROUTING = `
rules:
  - name: money
    intent: [billing]
    team: finance desk
    assignee: dana
  - name: shop
    service: [shop]
    team: web shop
  - keywords: [headset, printer]
    team: workplace
default:
  team: first line
`;

beforeAll(async () => {
  const port = await freePort();
  server = createServer((_req, res) => res.end('ok')).listen(port, '127.0.0.1');
  const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-routing-'));
  const file = path.join(dir, 'routing.yaml');
  writeFileSync(file, ROUTING);
  t = await startTestRuntime('pglite', {
    TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${port}/health`,
    TWISTERLAB_ROUTING_FILE: file,
  });
}, 240_000);
afterAll(async () => {
  server?.close();
  await t?.close();
});

async function submit(description: string) {
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', payload: { description } });
  expect(response.statusCode).toBe(202);
  return waitForTicket(t.app, (response.json() as { ticket: { id: string } }).ticket.id, 60_000);
}

describe("the requester's own equipment", () => {
  it.each([
    ['My printer at home prints blank pages since yesterday', 'workplace'],
    ['The headset I use for calls crackles and cuts out every few minutes', 'workplace'],
    ['Our NAS in the office stopped showing up, the shared photos are gone from the list', 'first line'],
    ['My laptop will not turn on this morning, the light blinks orange', 'first line'],
    ['my phone no longer charges when I plug it in', 'first line'],
  ])('%j goes to a person, nothing runs, team %s', { timeout: 90_000 }, async (text, team) => {
    const detail = await submit(text);
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.steps).toEqual([]);
    expect(detail.executions.flatMap((e) => e.plan.steps)).toEqual([]);
    expect(detail.ticket.team).toBe(team);
    expect(detail.ticket.intent).toBe('incident');
    expect((detail.ticket.analysis as { scope?: string }).scope).toBe('customer_equipment');
    expect(detail.ticket.handoffSummary).toMatch(/^Request: the requester reports something not working: /);
    expect(detail.ticket.handoffSummary).toMatch(/System: the requester's own /);
    expect(detail.ticket.handoffSummary).toMatch(new RegExp(`Team: ${team}$`));
    expect(detail.ticket.escalationReason).toMatch(/not diagnosed: about the requester's own/);
  });
});

describe('not a technical fault', () => {
  it.each([
    [
      'I was charged twice for my subscription this month, please refund one of the payments',
      'billing',
      'finance desk',
      'dana',
    ],
    ['Where is the invoice for March? The amount on my bill looks wrong', 'billing', 'finance desk', 'dana'],
    ['The jacket I ordered arrived damaged, I would like a replacement under warranty', 'order', 'first line', null],
    [
      'We would like to talk about a partnership to grow our brand with a joint marketing campaign',
      'sales',
      'first line',
      null,
    ],
  ])('%j is %s, routed to %s, and nothing runs', { timeout: 90_000 }, async (text, intent, team, assignee) => {
    const detail = await submit(text);
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.steps).toEqual([]);
    expect(detail.ticket.intent).toBe(intent);
    expect(detail.ticket.team).toBe(team);
    expect(detail.ticket.assignee).toBe(assignee);
    expect(detail.ticket.handoffSummary).toMatch(/Left to do: answer the requester; nothing was run on any system/);
  });
});

describe('a system of ours', () => {
  it('is diagnosed as before and routed by its service', { timeout: 90_000 }, async () => {
    const detail = await submit('the shop looked weird to me this morning, can someone have a look?');
    expect(detail.ticket.status).toBe('no_fault_found');
    expect(detail.steps.length).toBeGreaterThan(0);
    expect(detail.ticket.team).toBe('web shop');
    expect(detail.ticket.handoffSummary).toMatch(/System: our service shop/);
    expect(detail.ticket.handoffSummary).toMatch(/Left to do: the requester confirms all is well/);
  });
});
