// Takes the README's screenshots of the console (docs/screenshots/) on a lab like the browser tests': a few
// tickets in different states, one waiting for an approval. Run: node --import tsx test/web/take-screenshots.ts
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './console-build.ts';
import { KEYS, signedIn, startConsoleLab } from './console-fixtures.ts';

const OUT = path.join(REPO, 'docs', 'screenshots');

async function submit(
  base: string,
  key: string,
  description: string,
  context?: Record<string, string>,
): Promise<string> {
  const response = await fetch(`${base}/api/v1/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ description, ...(context ? { context } : {}) }),
  });
  return ((await response.json()) as { ticket: { id: string } }).ticket.id;
}

async function waitFor(base: string, id: string, statuses: string[]): Promise<void> {
  for (;;) {
    const detail = (await (
      await fetch(`${base}/api/v1/tickets/${id}`, { headers: { 'x-api-key': KEYS.bot } })
    ).json()) as { ticket: { status: string } };
    if (statuses.includes(detail.ticket.status)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const lab = await startConsoleLab();
try {
  mkdirSync(OUT, { recursive: true });
  await submit(lab.base, KEYS.bot, 'The VPN keeps dropping every few minutes for the whole sales team');
  await submit(lab.base, KEYS.bot, 'Printer on the second floor is out of toner again');
  lab.corrupt();
  const fixed = await submit(
    lab.base,
    KEYS.alice,
    'The shop shows stale prices, the application cache on this server looks corrupt',
  );
  await waitFor(lab.base, fixed, ['awaiting_approval']);
  const approval = (
    (await (
      await fetch(`${lab.base}/api/v1/approvals?status=pending&ticketId=${fixed}`, {
        headers: { 'x-api-key': KEYS.bot },
      })
    ).json()) as { items: Array<{ id: string }> }
  ).items[0]!;
  await fetch(`${lab.base}/api/v1/approvals/${approval.id}/approve`, {
    method: 'POST',
    headers: { 'x-api-key': KEYS.carol },
  });
  await waitFor(lab.base, fixed, ['resolved', 'escalated']);
  lab.corrupt();
  const waiting = await submit(
    lab.base,
    KEYS.alice,
    'Customers see yesterday’s cached stock levels on every product page served by this server',
  );
  await waitFor(lab.base, waiting, ['awaiting_approval']);

  const { context, page } = await signedIn(lab, KEYS.carol, { width: 1280, height: 860 });
  await page.screenshot({ path: path.join(OUT, 'inbox.png') });
  await page.goto(`${lab.base}/tickets/${fixed}`);
  await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
  await page.setViewportSize({ width: 1280, height: 1400 });
  await page.screenshot({ path: path.join(OUT, 'ticket.png') });
  await page.goto(`${lab.base}/approvals`);
  await page.locator('section.approval').first().waitFor();
  await page.screenshot({ path: path.join(OUT, 'approvals.png') });
  await context.close();
  console.log(`screenshots written to ${path.relative(REPO, OUT)}`);
} finally {
  await lab.close();
}
