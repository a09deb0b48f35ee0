/// <reference lib="dom" />
// The human handoff in the console, in Debian's Chromium against a real server on loopback: an operator takes an
// escalated ticket (assigns it, comments with markup that stays text, resolves it with a note) and the API, not
// the page, shows the result; a viewer sees none of the handoff actions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { KEYS, seriousViolations, signedIn, startConsoleLab, type ConsoleLab } from './console-fixtures.ts';

let lab: ConsoleLab;
beforeAll(async () => {
  lab = await startConsoleLab();
}, 240_000);
afterAll(async () => lab?.close());

interface ApiTicket {
  id: string;
  status: string;
  assignee: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  handoffSummary?: string | null;
  outcome: string | null;
}
interface ApiComment {
  author: string;
  body: string;
}

const call = async <T>(
  method: 'GET' | 'POST',
  url: string,
  key: string,
  payload?: unknown,
): Promise<{ status: number; body: T }> => {
  const response = await lab.rt.app.inject({
    method,
    url,
    headers: { 'x-api-key': key },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  return { status: response.statusCode, body: response.json() as T };
};
const ticketOf = async (id: string) =>
  (await call<{ ticket: ApiTicket }>('GET', `/api/v1/tickets/${id}`, KEYS.bot)).body.ticket;

/** A ticket whose fix was denied by a second admin, so the loop escalated it to a person. */
async function escalatedTicket(text: string): Promise<string> {
  lab.corrupt();
  const submitted = await call<{ ticket: { id: string } }>('POST', '/api/v1/tickets', KEYS.alice, {
    description: text,
  });
  expect(submitted.status).toBe(202);
  const id = submitted.body.ticket.id;
  await expect.poll(async () => (await ticketOf(id)).status, { timeout: 20_000 }).toBe('awaiting_approval');
  const { body } = await call<{ items: Array<{ id: string }> }>(
    'GET',
    `/api/v1/approvals?status=pending&ticketId=${id}`,
    KEYS.carol,
  );
  const denied = await call('POST', `/api/v1/approvals/${body.items[0]!.id}/deny`, KEYS.carol, {
    reason: 'Not now: someone should look at the cache by hand first',
  });
  expect(denied.status).toBe(200);
  await expect.poll(async () => (await ticketOf(id)).status, { timeout: 20_000 }).toBe('escalated');
  return id;
}

const statusOf = (page: Page) => page.getByTestId('ticket-status');

describe('ticket handoff in the console', () => {
  it('lets an operator assign, comment (markup shown as text) and resolve an escalated ticket; the API has it all', async () => {
    const id = await escalatedTicket('The app cache on this server keeps handing out yesterday pages to our customers');
    const before = await ticketOf(id);
    const { context, page } = await signedIn(lab, KEYS.bot);
    await page.goto(`${lab.base}/tickets/${id}`);
    await expect.poll(() => statusOf(page).textContent()).toBe('escalated');
    expect(await page.getByTestId('ticket-assignee').textContent()).toBe('nobody');
    expect(await page.getByTestId('handoff-summary').count()).toBe(before.handoffSummary ? 1 : 0);
    if (before.handoffSummary)
      expect(await page.getByTestId('handoff-summary').textContent()).toContain(before.handoffSummary);
    expect(await page.getByRole('button', { name: 'Re-run' }).count()).toBe(1);

    await page.getByLabel('Assign to (empty: nobody)').fill('dana');
    await page.getByRole('button', { name: 'Assign' }).click();
    await expect.poll(() => page.getByTestId('ticket-assignee').textContent()).toBe('dana');

    const comment = 'Looked at it: the <b>bold</b> cache node is stale <img src=x onerror="window.__pwned = 1">';
    await page.getByLabel('Comment', { exact: true }).fill(comment);
    await page.getByRole('button', { name: 'Add comment' }).click();
    await expect.poll(() => page.locator('.comment-body').last().textContent()).toBe(comment);
    expect(await page.locator('.comments b, .comments img').count()).toBe(0);

    await page.getByLabel('Resolution note').fill('Restarted the cache node by hand; pages are fresh again');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => statusOf(page).textContent(), { timeout: 20_000 }).toBe('resolved');
    expect(await page.getByRole('button', { name: 'Resolve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reopen' }).count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await seriousViolations(page)).toEqual([]);

    // The API, not the page, says what happened.
    const after = await ticketOf(id);
    expect(after).toMatchObject({
      status: 'resolved',
      assignee: 'dana',
      resolvedBy: 'bot',
      outcome: 'closed_by_human',
    });
    expect(after.resolutionNote).toContain('pages are fresh again');
    const comments = (await call<{ items: ApiComment[] }>('GET', `/api/v1/tickets/${id}/comments`, KEYS.vera)).body
      .items;
    expect(comments).toEqual([expect.objectContaining({ author: 'bot', body: comment })]);

    // The inbox lists who has it.
    await page.getByRole('navigation').getByRole('link', { name: 'Inbox' }).click();
    await expect.poll(() => page.locator(`tr[data-ticket="${id}"] .assignee`).textContent()).toBe('dana');
    await context.close();
  });

  it('shows a viewer none of the handoff actions, and an operator watching sees a comment made elsewhere', async () => {
    const id = await escalatedTicket(
      'The application cache on this server is broken again, every page it serves is wrong',
    );
    const vera = await signedIn(lab, KEYS.vera);
    await vera.page.goto(`${lab.base}/tickets/${id}`);
    await expect.poll(() => statusOf(vera.page).textContent()).toBe('escalated');
    await vera.page.getByRole('heading', { name: 'Comments' }).waitFor();
    for (const name of ['Assign', 'Add comment', 'Resolve', 'Re-run', 'Reopen']) {
      expect(await vera.page.getByRole('button', { name }).count(), name).toBe(0);
    }
    expect(await vera.page.getByRole('heading', { name: 'Take it over' }).count()).toBe(0);

    const bot = await signedIn(lab, KEYS.bot);
    await bot.page.goto(`${lab.base}/tickets/${id}`);
    await bot.page.getByRole('button', { name: 'Add comment' }).waitFor();
    // Another operator (through the API) assigns and comments; both pages follow without a reload.
    expect((await call('POST', `/api/v1/tickets/${id}/assign`, KEYS.carol, { assignee: 'erin' })).status).toBe(200);
    expect(
      (await call('POST', `/api/v1/tickets/${id}/comments`, KEYS.carol, { body: 'On it from the data centre' })).status,
    ).toBe(201);
    for (const page of [bot.page, vera.page]) {
      await expect.poll(() => page.getByTestId('ticket-assignee').textContent()).toBe('erin');
      await expect.poll(() => page.locator('.comment-body').last().textContent()).toBe('On it from the data centre');
    }
    await vera.context.close();
    await bot.context.close();
  });
});
