// The LLM analysis path: a redacted, truncated ticket goes in as delimited data; a schema-checked analysis
// comes out, or the reason the rules must decide instead (unhealthy, slow, failed, invalid, unsure).
import { createHash } from 'node:crypto';
import { ANALYSIS_JSON_SCHEMA, parseAnalysisAnswer, type LlmAnalysis, type Parsed } from './llm.ts';
import type { GuardedLlm } from './llm-guard.ts';
import { watchLlm, type LlmObserver } from './llm-observer.ts';
import { DATA_NOTICE, dataBlock } from './prompt-guard.ts';
import { redactSecrets, truncateToTokens } from './redaction.ts';
import { CATEGORIES, INTENTS } from './ticket.ts';

export interface LlmAnalyst {
  llm: GuardedLlm;
  /** Below this confidence the rules decide. */
  minConfidence: number;
  /** Most tokens of ticket text sent to the model. */
  inputTokens: number;
  /** Told of every call and fallback (metrics). */
  observer?: LlmObserver;
}

const SYSTEM = [
  'You triage IT support tickets. Answer with one JSON object that follows the given schema and nothing else.',
  `category is one of ${CATEGORIES.join(', ')}; priority critical only for outages hitting many users, breaches or data loss.`,
  `intent is what the writer wants, one of ${INTENTS.join(', ')}: incident when something they use is broken or failing;` +
    ' billing, order (deliveries, returns, warranty), sales (marketing, partnerships) and feature_request are not faults.',
  'sentiment is how the writer feels; urgency is how soon they need help. summary is one neutral sentence.',
  'confidence is how sure you are of the category, from 0 to 1.',
  DATA_NOTICE,
].join('\n');

/**
 * Builds the user message: the ticket as data, secrets removed, cut to the token budget. The delimiter's nonce
 * comes from the text's own hash, so the same ticket makes the same prompt (and hits the cache), and the text
 * cannot contain its delimiter (it would change the hash; `dataBlock` strips it anyway).
 */
export function analysisPrompt(text: string, inputTokens: number): string {
  const data = truncateToTokens(redactSecrets(text), inputTokens);
  const nonce = createHash('sha256').update(data).digest('hex').slice(0, 12);
  return `Analyse this ticket.\n${dataBlock('ticket', data, nonce)}`;
}

export async function analyzeWithLlm(
  analyst: LlmAnalyst,
  text: string,
  signal?: AbortSignal,
): Promise<Parsed<LlmAnalysis>> {
  const watch = watchLlm(analyst, 'analysis');
  if (!(await analyst.llm.healthy())) return watch.unhealthy();
  const answer = await analyst.llm.complete(
    { system: SYSTEM, user: analysisPrompt(text, analyst.inputTokens), schema: ANALYSIS_JSON_SCHEMA },
    signal,
  );
  if (!answer.ok) return watch.failed(answer);
  const parsed = parseAnalysisAnswer(answer.text);
  if (!parsed.ok) return watch.answered('invalid', parsed);
  if (parsed.value.confidence < analyst.minConfidence) {
    return watch.answered('low_confidence', {
      ok: false,
      reason: `confidence ${parsed.value.confidence} is below ${analyst.minConfidence}`,
    });
  }
  return watch.answered('ok', parsed);
}
