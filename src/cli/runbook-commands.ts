// `twisterlab runbooks`: the catalogue of a running API — list, show one, and dry-run one for a service,
// device or URL (the plan with parameters filled and a policy decision per step; nothing runs).
import { parseArgs } from 'node:util';
import { loadCatalogue } from '../adapters/runbooks/runbook-files.ts';
import type { RunbookSummary } from '../core/runbooks/runbook-view.ts';
import type { Plan } from '../core/ticket.ts';
import type { ApiClient } from './api-client.ts';
import type { Output } from './ticket-commands.ts';

export const RUNBOOKS_USAGE = `  twisterlab runbooks [--category C] [--json]
  twisterlab runbooks show <id> [--json]
  twisterlab runbooks dry-run <id> [--service NAME] [--device ID] [--url URL] [--param KEY=VALUE ...]
                                   ["<ticket text>"] [--json]   the plan it would make; runs nothing
  twisterlab runbooks validate <dir>     check a directory of runbooks offline (schema, templates, ids)`;

function formatSummary(r: RunbookSummary): string {
  const steps = `${r.steps.diagnose}/${r.steps.fix}/${r.steps.verify}${r.steps.rollback ? `/${r.steps.rollback}` : ''}`;
  return `${r.id.padEnd(24)} ${r.highestRisk.padEnd(11)} ${r.categories.join(',').padEnd(28)} ${steps.padEnd(8)} ${r.title}`;
}

export function formatPlan(plan: Plan): string[] {
  const lines = [`plan: ${plan.runbookId ?? 'none'} — ${plan.title}`];
  if (plan.parameters) lines.push(`parameters: ${Object.entries(plan.parameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  for (const s of plan.steps) {
    lines.push(`  ${String(s.index).padStart(2)} ${s.phase.padEnd(9)} ${s.capability.padEnd(34)} ${s.risk.padEnd(11)} ${s.decision.padEnd(14)} ${JSON.stringify(s.params)}`);
    lines.push(`     ${s.description} — ${s.decisionReason}`);
  }
  if (plan.escalation) lines.push(`escalation: ${plan.escalation}`);
  return lines;
}

function parseParam(text: string): [string, string | number | boolean] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`--param ${text}: expected KEY=VALUE`);
  const raw = text.slice(eq + 1);
  const value = raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  return [text.slice(0, eq), value];
}

export async function runbooksCommand(api: ApiClient, argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      category: { type: 'string' }, json: { type: 'boolean', default: false }, service: { type: 'string' }, device: { type: 'string' },
      url: { type: 'string' }, param: { type: 'string', multiple: true },
    },
  });
  const [, sub, id, text] = positionals;
  if (!sub) {
    const query = values.category ? `?category=${encodeURIComponent(values.category)}` : '';
    const { items } = await api.request<{ items: RunbookSummary[] }>('GET', `/api/v1/runbooks${query}`);
    if (values.json) out.write(JSON.stringify({ items }));
    else {
      out.write(`${'id'.padEnd(24)} ${'at most'.padEnd(11)} ${'categories'.padEnd(28)} ${'d/f/v/r'.padEnd(8)} title`);
      items.forEach((r) => out.write(formatSummary(r)));
      out.write(`${items.length} runbooks`);
    }
    return 0;
  }
  if (sub === 'show' && id) {
    const shown = await api.request<{ summary: RunbookSummary; runbook: unknown }>('GET', `/api/v1/runbooks/${encodeURIComponent(id)}`);
    out.write(values.json ? JSON.stringify(shown) : `${formatSummary(shown.summary)}\nsource: ${shown.summary.source}\n${JSON.stringify(shown.runbook, null, 2)}`);
    return 0;
  }
  if (sub === 'dry-run' && id) {
    const context = { ...(values.service ? { serviceName: values.service } : {}), ...(values.device ? { deviceId: values.device } : {}), ...(values.url ? { url: values.url } : {}) };
    const params = values.param ? Object.fromEntries(values.param.map(parseParam)) : undefined;
    const body = { ...(text ? { description: text } : {}), context, ...(params ? { params } : {}) };
    const result = await api.request<{ plannable: boolean; reason: string | null; plan: Plan }>('POST', `/api/v1/runbooks/${encodeURIComponent(id)}/dry-run`, body);
    if (values.json) out.write(JSON.stringify(result));
    else formatPlan(result.plan).forEach((line) => out.write(line));
    return result.plannable ? 0 : 3;
  }
  process.stderr.write(`usage:\n${RUNBOOKS_USAGE}\n`);
  return 2;
}

/**
 * `twisterlab runbooks validate <dir>`: checks a runbook directory without a server — schema, parameters,
 * templates, step references and ids against the built-ins. Capabilities are checked when the server starts.
 */
export function validateRunbooksCommand(argv: string[], out: Output): number {
  const [dir] = argv;
  if (!dir || argv.length > 1) {
    process.stderr.write(`usage:\n${RUNBOOKS_USAGE}\n`);
    return 2;
  }
  const catalogue = loadCatalogue(dir);
  const mine = catalogue.filter((r) => !r.source?.startsWith('builtin:'));
  mine.forEach((r) => out.write(`ok  ${r.id.padEnd(24)} ${r.source}`));
  out.write(`${mine.length} runbooks valid (${catalogue.length} with the built-in ones); capabilities are checked when the server starts`);
  return 0;
}
