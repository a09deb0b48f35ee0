// Phase 1 of the loop: sentiment, classification and context extraction, combined by the decision tree
// (category → sentiment → priority) into one Analysis.
import { extractContext, type KnownNames } from './context-extractor.ts';
import { analyzeWithLlm, type LlmAnalyst } from './llm-analysis.ts';
import { PROMPT_INJECTION_FLAG, injectionSignals } from './prompt-guard.ts';
import { REDACTED, redactSecrets } from './redaction.ts';
import { decideScope } from './routing/scope.ts';
import type { CapabilityRegistry } from './registry.ts';
import {
  ANALYZE_SENTIMENT,
  CLASSIFY_TICKET,
  type ClassifierOutput,
  type SentimentOutput,
} from './capability-contracts.ts';
import {
  PRIORITIES,
  type Analysis,
  type Category,
  type Intent,
  type Priority,
  type TicketContext,
  type Urgency,
} from './ticket.ts';

export interface AnalyzerDeps {
  registry: CapabilityRegistry;
  /** Names (and the services' and devices' profiles) the extractor looks for in the text. */
  known: () => KnownNames;
  /** The category a named service implies (its kind: http → application, postgres → database, ...). */
  serviceCategory?: (serviceName: string) => Category | undefined;
  /** When set, the LLM analyses first and the rules are the fallback. */
  llm?: LlmAnalyst;
}

export const SECRETS_REDACTED_FLAG = 'secrets_redacted';

const rank = (p: Priority) => PRIORITIES.length - PRIORITIES.indexOf(p);
const byRank = (r: number) => PRIORITIES[PRIORITIES.length - r]!;

/**
 * The decision tree: urgent → at least high, calm → at most medium, normal → as classified;
 * a critical classification (outage, breach, data loss) always stands.
 */
export function combinePriority(classified: Priority, urgency: Urgency): Priority {
  if (classified === 'critical') return 'critical';
  if (urgency === 'high') return byRank(Math.max(rank(classified), rank('high')));
  if (urgency === 'low') return byRank(Math.min(rank(classified), rank('medium')));
  return classified;
}

function summarise(text: string): string {
  const first =
    redactSecrets(text)
      .trim()
      .split(/(?<=[.!?])\s|\n/)[0] ?? text;
  return first.length > 160 ? `${first.slice(0, 157)}...` : first;
}

/** The LLM's analysis over the rules' one when the model answered validly and surely; flags either way. */
export async function analyzeTicket(
  deps: AnalyzerDeps,
  text: string,
  given: TicketContext,
  ticketId?: string,
): Promise<Analysis> {
  const analysis = await analyzeFreely(deps, text, given, ticketId);
  // A priority the source stated (an alert's severity) stands over what the words suggest.
  if (!given.priority) return analysis;
  const evidence = {
    ...analysis.evidence,
    priority: [`given by the source: ${given.priority}`, `analysis said ${analysis.priority}`],
  };
  return { ...analysis, priority: given.priority, evidence };
}

async function analyzeFreely(
  deps: AnalyzerDeps,
  text: string,
  given: TicketContext,
  ticketId?: string,
): Promise<Analysis> {
  const [rules, llm] = await Promise.all([
    analyzeWithRules(deps, text, given, ticketId),
    deps.llm ? analyzeWithLlm(deps.llm, text) : undefined,
  ]);
  const signals = injectionSignals(text);
  const suspected = signals.length > 0 || (llm?.ok === true && llm.value.injectionSuspected);
  // Intake replaced secrets with the marker: a human should know the ticket held some (and rotate them).
  const raised = [
    ...(suspected ? [PROMPT_INJECTION_FLAG] : []),
    ...(text.includes(REDACTED) || text.includes('://***@') ? [SECRETS_REDACTED_FLAG] : []),
  ];
  const flags = raised.length > 0 ? { flags: raised } : {};
  const flagEvidence = signals.map((signal) => `instruction-like text: "${signal}"`);
  if (!llm)
    return {
      ...rules,
      ...flags,
      evidence: { ...rules.evidence, category: [...rules.evidence.category, ...flagEvidence] },
    };
  if (!llm.ok) {
    return {
      ...rules,
      ...flags,
      fallbackReason: llm.reason,
      evidence: { ...rules.evidence, category: [...rules.evidence.category, ...flagEvidence] },
    };
  }
  const { category, priority, sentiment, urgency, summary, confidence } = llm.value;
  const intent = llm.value.intent ?? rules.intent;
  const model = `${deps.llm!.llm.client.name}/${deps.llm!.llm.client.model}`;
  return {
    ...rules,
    ...flags,
    category,
    ...(intent ? { intent } : {}),
    priority,
    sentiment,
    urgency,
    summary: redactSecrets(summary),
    confidence,
    path: 'llm',
    evidence: {
      ...(rules.evidence.intent
        ? { intent: llm.value.intent ? [`${model}: ${llm.value.intent}`] : rules.evidence.intent }
        : {}),
      sentiment: [`${model}: ${sentiment}, urgency ${urgency}`],
      category: [`${model}: ${category} (confidence ${confidence})`, ...flagEvidence],
      priority: [`${model}: ${priority}`, `rules said ${rules.category}/${rules.priority}`],
    },
  };
}

async function analyzeWithRules(
  deps: AnalyzerDeps,
  text: string,
  given: TicketContext,
  ticketId?: string,
): Promise<Analysis> {
  const options = { actor: 'orchestrator', ...(ticketId ? { ticketId } : {}) };
  const [sentimentResult, classifierResult] = await Promise.all([
    deps.registry.call(ANALYZE_SENTIMENT, { text, detailed: true }, options),
    deps.registry.call(CLASSIFY_TICKET, { description: text }, options),
  ]);
  const sentiment: SentimentOutput = sentimentResult.ok
    ? sentimentResult.output
    : { sentiment: 'neutral', confidence: 0, urgency: 'normal' };
  const classified: ClassifierOutput = classifierResult.ok
    ? classifierResult.output
    : { category: 'other', priority: 'medium', confidence: 0, evidence: [], intent: 'incident', intentEvidence: [] };
  const priority = combinePriority(classified.priority, sentiment.urgency);
  const context = extractContext(text, given, deps.known());
  // The words did not say what kind of problem it is, but the ticket names a service we know the kind of.
  const implied =
    classified.category === 'other' && context.serviceName ? deps.serviceCategory?.(context.serviceName) : undefined;
  const intent: Intent = classified.intent ?? 'incident';
  const scope = decideScope(text, context);
  return {
    category: implied ?? classified.category,
    intent,
    scope: scope.scope,
    priority,
    sentiment: sentiment.sentiment,
    urgency: sentiment.urgency,
    confidence: Math.round(Math.min(classified.confidence, Math.max(sentiment.confidence, 0.5)) * 100) / 100,
    summary: summarise(text),
    evidence: {
      sentiment: (sentiment.evidence ?? []).map((e) => e.cue),
      category: [
        ...classified.evidence.filter((e) => e.category !== 'priority').map((e) => e.term),
        ...(implied ? [`names service ${context.serviceName} (${implied})`] : []),
      ],
      scope: scope.evidence,
      intent: (classified.intentEvidence ?? []).filter((e) => e.intent === intent).map((e) => e.term),
      priority: [
        ...classified.evidence.filter((e) => e.category === 'priority').map((e) => e.term),
        `classified ${classified.priority}, urgency ${sentiment.urgency} → ${priority}`,
        ...(sentimentResult.ok ? [] : [`sentiment analysis failed: ${sentimentResult.error.code}`]),
        ...(classifierResult.ok ? [] : [`classification failed: ${classifierResult.error.code}`]),
      ],
    },
    context,
    suggestedAgents: [],
    path: 'rules',
  };
}
