// Classifies a ticket description into a category and a priority from weighted keyword and phrase rules,
// and says which terms decided it. Pure and deterministic: the same text always gets the same answer.
import { CATEGORIES, type Category, type Priority } from '../../core/ticket.ts';
import { CATEGORY_RULES, type RuleCategory } from './category-rules.ts';
import { PRIORITY_RULES, type PriorityLevel } from './priority-rules.ts';
import { compileTerms, matchTerms, normalizeText, type TermHit } from './term-matcher.ts';

export interface ClassifierEvidence {
  category: Category | 'priority';
  term: string;
  weight: number;
}

export interface Classification {
  category: Category;
  priority: Priority;
  confidence: number;
  evidence: ClassifierEvidence[];
  scores: Record<Category, number>;
}

const categoryMatchers = CATEGORIES.filter((c): c is RuleCategory => c !== 'other')
  .map((category) => compileTerms(CATEGORY_RULES.filter((rule) => rule.label === category)));
const priorityMatcher = compileTerms(PRIORITY_RULES);
// A raising phrase right after a negator does not count: "no data loss", "not blocked".
const NEGATED_BEFORE = /(?:\b(?:no|not|never|without)|n't)\s+$/;
const NOTHING_MATCHED_CONFIDENCE = 0.2;
// Repeats of one term add, with diminishing returns, up to twice its weight.
const repeatFactor = (count: number): number => 1 + 0.5 * Math.min(count - 1, 2);
const round = (value: number): number => Math.round(value * 100) / 100;

function categoryEvidence(hits: ReadonlyArray<TermHit<RuleCategory>>): ClassifierEvidence[] {
  const byText = new Map<string, { category: RuleCategory; term: string; weight: number; count: number }>();
  for (const hit of hits) {
    const key = `${hit.label}\u0000${hit.text}`;
    const seen = byText.get(key);
    if (seen) seen.count += 1;
    else byText.set(key, { category: hit.label, term: hit.text, weight: hit.weight, count: 1 });
  }
  return [...byText.values()].map(({ category, term, weight, count }) => ({ category, term, weight: round(weight * repeatFactor(count)) }));
}

function rankCategories(evidence: readonly ClassifierEvidence[]): { scores: Record<Category, number>; ranked: Category[] } {
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  const strongest = new Map<Category, number>();
  for (const item of evidence) {
    if (item.category === 'priority') continue;
    scores[item.category] = round(scores[item.category] + item.weight);
    strongest.set(item.category, Math.max(strongest.get(item.category) ?? 0, item.weight));
  }
  // Ties go to the category with the heavier single term, then to the catalogue order.
  const ranked = [...CATEGORIES].sort((a, b) =>
    scores[b] - scores[a] || (strongest.get(b) ?? 0) - (strongest.get(a) ?? 0) || CATEGORIES.indexOf(a) - CATEGORIES.indexOf(b));
  return { scores, ranked };
}

function confidenceOf(best: number, second: number): number {
  if (best <= 0) return NOTHING_MATCHED_CONFIDENCE;
  const strength = 1 - Math.exp(-best / 4);
  const margin = (best - second) / best;
  return round(Math.min(0.97, 0.35 + 0.4 * strength + 0.2 * margin));
}

function decidePriority(levels: ReadonlySet<PriorityLevel>): Priority {
  if (levels.has('critical')) return 'critical';
  if (levels.has('calm')) return 'low';
  if (levels.has('high')) return 'high';
  if (levels.has('question')) return 'low';
  return 'medium';
}

function priorityHits(text: string): Array<TermHit<PriorityLevel>> {
  return matchTerms(text, [priorityMatcher]).filter((hit) =>
    !((hit.label === 'critical' || hit.label === 'high') && NEGATED_BEFORE.test(text.slice(Math.max(0, hit.start - 12), hit.start))));
}

export function classifyText(description: string): Classification {
  const text = normalizeText(description);
  const evidence = categoryEvidence(matchTerms(text, categoryMatchers));
  const { scores, ranked } = rankCategories(evidence);
  const [first, second] = ranked.map((category) => scores[category]);
  const category = (first ?? 0) > 0 ? ranked[0]! : 'other';
  const priorities = priorityHits(text);
  for (const hit of priorities) evidence.push({ category: 'priority', term: hit.text, weight: hit.weight });
  return {
    category,
    priority: decidePriority(new Set(priorities.map((hit) => hit.label))),
    confidence: confidenceOf(first ?? 0, second ?? 0),
    evidence,
    scores,
  };
}
