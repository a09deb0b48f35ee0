// The LLM planning path: the model picks a runbook id from the catalogue and values for that runbook's declared
// parameters (known service or device names only); the rules planner then fills and policy-checks that runbook.
// The model never writes steps, capabilities or commands. Anything invalid, unsure or slow → the rules plan.
import { createHash } from 'node:crypto';
import {
  parseRunbookChoice,
  runbookChoiceSchema,
  type Parsed,
  type RunbookChoice,
  type RunbookChoiceOption,
} from './llm.ts';
import type { LlmAnalyst } from './llm-analysis.ts';
import { watchLlm } from './llm-observer.ts';
import { DATA_NOTICE, dataBlock } from './prompt-guard.ts';
import { redactSecrets, truncateToTokens } from './redaction.ts';
import type { Runbook } from './runbooks/runbook.ts';
import type { Analysis, Plan } from './ticket.ts';

/** Template paths the model may set, as the parameter name it sees and the context field it fills. */
const SETTABLE = [
  { template: 'context.serviceName', param: 'service_name', field: 'serviceName', from: 'services' },
  { template: 'context.deviceId', param: 'device_id', field: 'deviceId', from: 'devices' },
] as const;

const SYSTEM = [
  'You choose the runbook that fits an analysed IT support ticket. Answer with one JSON object that follows the',
  'given schema and nothing else. runbook_id is one of the listed ids, or null when none fits. params holds only the',
  'parameters the chosen runbook takes, each one of the listed known names. confidence is how sure you are, 0 to 1.',
  DATA_NOTICE,
].join('\n');

/** The catalogue as the model sees it: each runbook with the parameters its templates use and their known values. */
export function runbookOptions(
  runbooks: readonly Runbook[],
  known: { devices: string[]; services: string[] },
): RunbookChoiceOption[] {
  return runbooks.map((runbook) => {
    const text = JSON.stringify(runbook);
    const params = Object.fromEntries(
      SETTABLE.filter((s) => text.includes(`{{${s.template}}}`)).map((s) => [s.param, known[s.from]]),
    );
    return { id: runbook.id, title: runbook.title, params };
  });
}

function planningPrompt(
  analysis: Analysis,
  text: string,
  options: readonly RunbookChoiceOption[],
  inputTokens: number,
): string {
  const data = truncateToTokens(redactSecrets(text), inputTokens);
  const nonce = createHash('sha256').update(data).digest('hex').slice(0, 12);
  const catalogue = options.map((o) => `- ${o.id}: ${o.title}; params: ${JSON.stringify(o.params)}`).join('\n');
  return [
    `Analysis: category ${analysis.category}, priority ${analysis.priority}.`,
    `Runbooks:\n${catalogue}`,
    `Ticket:\n${dataBlock('ticket', data, nonce)}`,
  ].join('\n');
}

/** The model's choice, or why the rules must plan instead (unhealthy, slow, failed, invalid, unsure, none). */
export async function chooseRunbook(
  analyst: LlmAnalyst,
  analysis: Analysis,
  text: string,
  options: readonly RunbookChoiceOption[],
  signal?: AbortSignal,
): Promise<Parsed<RunbookChoice & { runbookId: string }>> {
  const watch = watchLlm(analyst, 'planning');
  if (!(await analyst.llm.healthy())) return watch.unhealthy();
  const request = {
    system: SYSTEM,
    user: planningPrompt(analysis, text, options, analyst.inputTokens),
    schema: runbookChoiceSchema(options),
  };
  const answer = await analyst.llm.complete(request, signal);
  if (!answer.ok) return watch.failed(answer);
  const parsed = parseRunbookChoice(answer.text, options);
  if (!parsed.ok) return watch.answered('invalid', parsed);
  const { runbookId, confidence } = parsed.value;
  if (confidence < analyst.minConfidence) {
    return watch.answered('low_confidence', {
      ok: false,
      reason: `confidence ${confidence} is below ${analyst.minConfidence}`,
    });
  }
  watch.call('ok');
  if (runbookId === null) {
    watch.fallback('no_runbook');
    return { ok: false, reason: 'the model chose no runbook' };
  }
  return { ok: true, value: { ...parsed.value, runbookId } };
}

/**
 * The plan from the model's choice, made by the rules planner (`planWith`) on that one runbook with the chosen
 * names in the context; the rules plan over the whole catalogue, with the reason, when the choice is unusable.
 */
export async function planWithLlm(
  analyst: LlmAnalyst,
  analysis: Analysis,
  text: string,
  runbooks: readonly Runbook[],
  known: { devices: string[]; services: string[] },
  planWith: (analysis: Analysis, runbooks: readonly Runbook[]) => Plan,
): Promise<Plan> {
  const rules = (fallbackReason: string): Plan => ({ ...planWith(analysis, runbooks), path: 'rules', fallbackReason });
  const choice = await chooseRunbook(analyst, analysis, text, runbookOptions(runbooks, known));
  if (!choice.ok) return rules(choice.reason);
  const runbook = runbooks.find((r) => r.id === choice.value.runbookId)!;
  const context = { ...analysis.context };
  for (const s of SETTABLE) {
    const value = choice.value.params[s.param];
    if (value !== undefined) context[s.field] = value;
  }
  const plan = planWith({ ...analysis, context }, [runbook]);
  if (plan.runbookId === null) {
    analyst.observer?.onFallback({ stage: 'planning', reason: 'unfit_runbook' });
    return rules(`runbook ${runbook.id} does not fit this ticket: ${plan.escalation ?? 'unfilled parameters'}`);
  }
  return { ...plan, path: 'llm' };
}
