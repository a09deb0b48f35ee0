// Tickets written the way users write them — no exact service names — resolved to the declared services through
// the HTTP API with a services file: aliases, descriptions, near spellings, endpoints and written ports.
// Dry-run tickets: the analysis is made and stored, nothing runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtractedContext } from '../../src/core/ticket.ts';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import { waitForTicket } from '../helpers/test-runtime.ts';
import { startScenario, type Scenario } from './scenario-kit.ts';

let scenario: Scenario;

beforeAll(async () => {
  scenario = await startScenario([
    { name: 'pricing', url: 'http://127.0.0.1:18081/health', description: 'prices and discounts shown in the shop' },
    {
      name: 'inventory-ui',
      url: 'http://127.0.0.1:18082/',
      description: 'inventory screens and stock levels for the warehouse',
    },
    {
      name: 'crm-web',
      url: 'http://127.0.0.1:18083/',
      aliases: ['crm', 'sales app'],
      description: 'customer records for the sales team',
    },
    { name: 'session-cache', url: 'redis://127.0.0.1:6390', description: 'sessions store for the web shop' },
    { name: 'portal', url: 'https://portal.example.com/health', description: 'employee portal' },
    { name: 'shop-eu', url: 'http://127.0.0.1:18084/', aliases: ['storefront'] },
    { name: 'shop-us', url: 'http://127.0.0.1:18085/', aliases: ['storefront'] },
  ]);
});

afterAll(async () => {
  await scenario?.close();
});

async function contextOf(description: string): Promise<ExtractedContext> {
  const response = await scenario.rt.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    payload: { description, dryRun: true },
  });
  expect(response.statusCode, response.body).toBe(202);
  const id = (response.json() as { ticket: { id: string } }).ticket.id;
  const detail: TicketDetail = await waitForTicket(scenario.rt.app, id, 60_000);
  const fetched = await scenario.rt.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}` });
  expect(fetched.json()).toMatchObject({ ticket: { id, dryRun: true } });
  expect(detail.steps).toEqual([]);
  return (fetched.json() as TicketDetail).ticket.analysis!.context;
}

describe('entity resolution through the API', () => {
  it.each([
    ['the prices are wrong on the checkout', 'pricing', 'fuzzy'],
    ['the inventory screens are frozen', 'inventory-ui', 'description'],
    ['nobody in sales can open the CRM', 'crm-web', 'alias'],
    ['the sessions store refuses to save', 'session-cache', 'description'],
    ['the TLS certificate of portal expires in 3 days', 'portal', 'exact'],
    ['https://portal.example.com/login warns about its certificate', 'portal', 'address'],
  ])('"%s" is about %s (%s)', async (text, service, match) => {
    const context = await contextOf(text);
    expect(context.serviceName).toBe(service);
    expect(context.found).toContainEqual({ kind: 'service', value: service, source: 'text', match });
    expect(context.ambiguous).toBeUndefined();
  });

  it('keeps the port written after an address', async () => {
    const context = await contextOf('127.0.0.1:27000 is unreachable from the office');
    expect(context.found).toContainEqual({
      kind: 'ip',
      value: '127.0.0.1',
      port: 27000,
      portStated: true,
      source: 'text',
    });
    expect(context.serviceName).toBeUndefined();
  });

  it('names both services an alias fits and chooses neither', async () => {
    const context = await contextOf('the storefront is down for everyone');
    expect(context.serviceName).toBeUndefined();
    expect(context.ambiguous).toEqual([{ kind: 'service', mention: 'storefront', candidates: ['shop-eu', 'shop-us'] }]);
  });
});
