/// <reference lib="dom" />
// The console in Debian's Chromium against a real server on loopback: signing in, a ticket submitted from the
// inbox whose steps appear live, an approval decided by a second admin in another browser, a denial that
// escalates, ticket text that stays text, a viewer without approve buttons, and axe-core on every page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sideEffectLines } from '../approvals/approval-fixtures.ts';
import { KEYS, seriousViolations, signedIn, startConsoleLab, type ConsoleLab } from './console-fixtures.ts';

const expectNoSeriousViolations = async (page: Page) => expect(await seriousViolations(page)).toEqual([]);

let lab: ConsoleLab;
beforeAll(async () => {
  lab = await startConsoleLab();
}, 240_000);
afterAll(async () => lab?.close());

/** Submits a ticket from the inbox form; the console opens its page. Returns the ticket id. */
async function submitFromInbox(page: Page, description: string): Promise<string> {
  await page.getByText('New ticket').click();
  await page.getByLabel('What is wrong?').fill(description);
  await page.getByRole('button', { name: 'Submit ticket' }).click();
  await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
  return page.url().split('/').pop()!;
}

const statusOf = (page: Page) => page.getByTestId('ticket-status');

describe('web console in Chromium', () => {
  it('refuses a wrong key, signs in with a right one, shows who is signed in, and signs out', async () => {
    const context = await lab.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${lab.base}/`);
    await page.getByLabel('API key').fill('wrong-key-wrong-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('invalid API key');
    await page.getByLabel('API key').fill(KEYS.bot);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    expect(await page.getByTestId('who').textContent()).toBe('bot (operator)');
    const cookies = await context.cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'twisterlab_session', httpOnly: true, sameSite: 'Strict' }),
    ]);
    // The cookie is out of the page's reach.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    await page.reload();
    await page.getByLabel('API key').waitFor();
    await context.close();
  });

  it('submits a ticket from the inbox and shows its diagnosis step appear, then the approval it waits for', async () => {
    lab.corrupt();
    const { context, page } = await signedIn(lab, KEYS.alice);
    const id = await submitFromInbox(
      page,
      'The app cache on this server is corrupt and serving stale pages to everyone',
    );
    await page.locator('[data-step="testops.check_cache"][data-status="succeeded"]').waitFor();
    await expect.poll(() => statusOf(page).textContent()).toBe('awaiting approval');
    expect(await page.locator('[data-step="testops.check_cache"] .output').textContent()).toContain('"corrupt": true');
    // The requester sees the approval but cannot decide it.
    await page.getByText('You asked for this change: another admin decides.').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    // Back in the inbox the ticket is listed with its state.
    await page.getByRole('navigation').getByRole('link', { name: 'Inbox' }).click();
    await expect.poll(() => page.locator(`tr[data-ticket="${id}"] .badge`).textContent()).toBe('awaiting approval');
    await context.close();
  });

  it('lets a second admin approve from the approvals page while the requester watches the ticket resolve', async () => {
    lab.corrupt();
    const before = sideEffectLines(lab.sideEffectFile);
    const alice = await signedIn(lab, KEYS.alice);
    const id = await submitFromInbox(
      alice.page,
      'The app cache on this server is serving garbage to everyone, please sort it out',
    );
    await expect.poll(() => statusOf(alice.page).textContent(), { timeout: 20_000 }).toBe('awaiting approval');

    const carol = await signedIn(lab, KEYS.carol);
    await carol.page.getByRole('navigation').getByRole('link', { name: 'Approvals' }).click();
    const card = carol.page.locator('section.approval').filter({ has: carol.page.locator(`a[href="/tickets/${id}"]`) });
    await card.waitFor();
    expect(await card.getByTestId('approval-params').textContent()).toContain(`"path": "${lab.sideEffectFile}"`);
    expect(await card.getByTestId('approval-hash').textContent()).toMatch(/^[0-9a-f]{64}$/);
    expect(await card.textContent()).toContain('corrupt: true');
    expect(await card.getByTestId('time-left').textContent()).toMatch(/left$/);
    await card.getByRole('button', { name: 'Approve' }).click();

    // Alice's page follows the ticket through the fix to resolved, without a reload.
    await expect.poll(() => statusOf(alice.page).textContent(), { timeout: 20_000 }).toBe('resolved');
    await alice.page.locator('[data-step="testops.wipe_cache"][data-status="succeeded"]').waitFor();
    expect(sideEffectLines(lab.sideEffectFile)).toBe(before + 1);
    await expect.poll(() => alice.page.getByText('approved by carol').count()).toBeGreaterThan(0);
    // The overview counts it, from the store, as a fix that needed an approval.
    const overview = (
      await lab.rt.app.inject({ method: 'GET', url: '/api/v1/overview', headers: { 'x-api-key': KEYS.bot } })
    ).json() as {
      byOutcome: Record<string, number>;
      approvalsPending: number;
      resolution: { count: number; medianMs: number };
    };
    expect(overview.byOutcome.assisted_fix).toBeGreaterThanOrEqual(1);
    expect(overview.resolution.count).toBeGreaterThanOrEqual(1);
    expect(overview.resolution.medianMs).toBeGreaterThan(0);
    await alice.page.getByRole('navigation').getByRole('link', { name: 'Overview' }).click();
    await expect
      .poll(() => alice.page.getByTestId('assisted-fixes').textContent())
      .toBe(String(overview.byOutcome.assisted_fix));
    expect(await alice.page.getByTestId('approvals-waiting').textContent()).toBe(String(overview.approvalsPending));
    await alice.context.close();
    await carol.context.close();
  });

  it('escalates a ticket whose approval is denied with a reason, and runs nothing', async () => {
    lab.corrupt();
    const before = sideEffectLines(lab.sideEffectFile);
    const alice = await signedIn(lab, KEYS.alice);
    const id = await submitFromInbox(
      alice.page,
      'The application cache on this server is broken again, every page it serves is wrong',
    );
    await expect.poll(() => statusOf(alice.page).textContent(), { timeout: 20_000 }).toBe('awaiting approval');
    const carol = await signedIn(lab, KEYS.carol);
    await carol.page.goto(`${lab.base}/tickets/${id}`);
    await carol.page.getByLabel('Reason to deny').fill('Not during opening hours: wait for the maintenance window');
    await carol.page.getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => statusOf(carol.page).textContent(), { timeout: 20_000 }).toBe('escalated');
    await expect.poll(() => statusOf(alice.page).textContent(), { timeout: 20_000 }).toBe('escalated');
    expect(await alice.page.locator('.note.warn').first().textContent()).toContain('maintenance window');
    expect(sideEffectLines(lab.sideEffectFile)).toBe(before);
    await alice.context.close();
    await carol.context.close();
  });

  it('shows a script tag and markup in a ticket as text and never runs them', async () => {
    const { context, page } = await signedIn(lab, KEYS.bot);
    const hostile =
      '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> the <b>login</b> page is blank';
    const id = await submitFromInbox(page, hostile);
    await expect.poll(() => page.getByTestId('ticket-description').textContent()).toBe(hostile);
    expect(
      await page.locator('.ticket .description img, .ticket .description b, .ticket .description script').count(),
    ).toBe(0);
    await page.getByRole('navigation').getByRole('link', { name: 'Inbox' }).click();
    await page.locator(`tr[data-ticket="${id}"]`).waitFor();
    expect(await page.locator(`tr[data-ticket="${id}"] .desc`).textContent()).toBe(hostile);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await context.close();
  });

  it('shows a viewer no approve button, and the API refuses the viewer when the request is forced', async () => {
    lab.corrupt();
    const alice = await signedIn(lab, KEYS.alice);
    const id = await submitFromInbox(
      alice.page,
      'The app cache on this server is full of garbage, customers see nonsense',
    );
    await expect.poll(() => statusOf(alice.page).textContent(), { timeout: 20_000 }).toBe('awaiting approval');
    const vera = await signedIn(lab, KEYS.vera);
    expect(await vera.page.getByText('New ticket').count()).toBe(0);
    await vera.page.goto(`${lab.base}/tickets/${id}`);
    await vera.page.locator('section.approval').waitFor();
    expect(await vera.page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await vera.page.getByRole('button', { name: 'Deny' }).count()).toBe(0);
    const forced = await vera.page.evaluate(async () => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const list = (await (
        await fetch(`/api/v1/approvals?status=pending&ticketId=${location.pathname.split('/').pop()}`)
      ).json()) as { items: Array<{ id: string }> };
      const response = await fetch(`/api/v1/approvals/${list.items[0]!.id}/approve`, {
        method: 'POST',
        headers: { 'x-csrf-token': session.csrfToken },
      });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    });
    expect(forced).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'FORBIDDEN' }) } });
    await alice.context.close();
    await vera.context.close();
  });

  it('passes axe-core with no serious or critical violation on every page, at laptop and phone widths', async () => {
    const signin = await lab.browser.newContext();
    const page = await signin.newPage();
    await page.goto(`${lab.base}/`);
    await page.getByLabel('API key').waitFor();
    await expectNoSeriousViolations(page);
    await signin.close();
    const { items } = (
      await lab.rt.app.inject({ method: 'GET', url: '/api/v1/tickets?limit=1', headers: { 'x-api-key': KEYS.bot } })
    ).json() as { items: Array<{ id: string }> };
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 375, height: 740 },
    ]) {
      const { context, page: p } = await signedIn(lab, KEYS.alice, viewport);
      for (const [url, heading] of [
        ['/', 'Inbox'],
        [`/tickets/${items[0]!.id}`, 'Audit trail'],
        ['/approvals', 'Approvals'],
        ['/runbooks', 'Runbooks'],
        ['/runbooks/test-wipe-cache', 'Dry run'],
        ['/devices', 'Devices'],
        ['/overview', 'Overview'],
      ] as const) {
        await p.goto(`${lab.base}${url}`);
        await p.getByRole('heading', { name: heading }).first().waitFor();
        await expectNoSeriousViolations(p);
        // Nothing wider than the screen: no sideways scrolling of the page itself.
        expect(
          await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
          `${url} at ${viewport.width}px`,
        ).toBe(true);
      }
      await context.close();
    }
  }, 240_000);
});
