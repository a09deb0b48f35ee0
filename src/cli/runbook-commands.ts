// `twisterlab runbooks`: the catalogue of a running API — list, show one, and dry-run one for a service,
// device or URL (the plan with parameters filled and a policy decision per step; nothing runs).
import type { RunbookSummary } from '../core/runbooks/runbook-view.ts';
import type { Plan } from '../core/ticket.ts';
import type { ApiClient } from './api-client.ts';
import type { Output } from './ticket-commands.ts';

function formatSummary(r: RunbookSummary): string {
  const steps = `${r.steps.diagnose}/${r.steps.fix}/${r.steps.verify}${r.steps.rollback ? `/${r.steps.rollback}` : ''}`;
  return `${r.id.padEnd(24)} ${r.highestRisk.padEnd(11)} ${r.categories.join(',').padEnd(28)} ${steps.padEnd(8)} ${r.title}`;
}

export function formatPlan(plan: Plan): string[] {
  const lines = [`plan: ${plan.runbookId ?? 'none'} — ${plan.title}`];
  if (plan.parameters)
    lines.push(
      `parameters: ${Object.entries(plan.parameters)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ')}`,
    );
  for (const s of plan.steps) {
    lines.push(
      `  ${String(s.index).padStart(2)} ${s.phase.padEnd(9)} ${s.capability.padEnd(34)} ${s.risk.padEnd(11)} ${s.decision.padEnd(14)} ${JSON.stringify(s.params)}`,
    );
    lines.push(`     ${s.description} — ${s.decisionReason}`);
  }
  if (plan.escalation) lines.push(`escalation: ${plan.escalation}`);
  return lines;
}

function parseParam(text: string): [string, string | number | boolean] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`--param ${text}: expected KEY=VALUE`);
  const raw = text.slice(eq + 1);
  const value =
    raw === 'true'
      ? true
      : raw === 'false'
        ? false
        : raw.trim() !== '' && !Number.isNaN(Number(raw))
          ? Number(raw)
          : raw;
  return [text.slice(0, eq), value];
}

export async function listRunbooks(
  api: ApiClient,
  args: { category?: string; json: boolean },
  out: Output,
): Promise<number> {
  const query = args.category ? `?category=${encodeURIComponent(args.category)}` : '';
  const { items } = await api.request<{ items: RunbookSummary[] }>('GET', `/api/v1/runbooks${query}`);
  if (args.json) out.write(JSON.stringify({ items }));
  else {
    out.write(`${'id'.padEnd(24)} ${'at most'.padEnd(11)} ${'categories'.padEnd(28)} ${'d/f/v/r'.padEnd(8)} title`);
    items.forEach((r) => out.write(formatSummary(r)));
    out.write(`${items.length} runbooks`);
  }
  return 0;
}

export async function showRunbook(api: ApiClient, id: string, json: boolean, out: Output): Promise<number> {
  const shown = await api.request<{ summary: RunbookSummary; runbook: unknown }>(
    'GET',
    `/api/v1/runbooks/${encodeURIComponent(id)}`,
  );
  out.write(
    json
      ? JSON.stringify(shown)
      : `${formatSummary(shown.summary)}\nsource: ${shown.summary.source}\n${JSON.stringify(shown.runbook, null, 2)}`,
  );
  return 0;
}

export interface DryRunArgs {
  text?: string;
  service?: string;
  device?: string;
  url?: string;
  param?: string[];
  json: boolean;
}

/** The plan the runbook would make; exits 3 when it cannot be planned for this context. */
export async function dryRunRunbook(api: ApiClient, id: string, args: DryRunArgs, out: Output): Promise<number> {
  const context = {
    ...(args.service ? { serviceName: args.service } : {}),
    ...(args.device ? { deviceId: args.device } : {}),
    ...(args.url ? { url: args.url } : {}),
  };
  const params = args.param?.length ? Object.fromEntries(args.param.map(parseParam)) : undefined;
  const body = { ...(args.text ? { description: args.text } : {}), context, ...(params ? { params } : {}) };
  const result = await api.request<{ plannable: boolean; reason: string | null; plan: Plan }>(
    'POST',
    `/api/v1/runbooks/${encodeURIComponent(id)}/dry-run`,
    body,
  );
  if (args.json) out.write(JSON.stringify(result));
  else formatPlan(result.plan).forEach((line) => out.write(line));
  return result.plannable ? 0 : 3;
}
