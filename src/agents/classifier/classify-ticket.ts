// Classifies a ticket description into a category and a priority from weighted keyword and phrase rules,
// and says which terms decided it. Pure and deterministic: the same text always gets the same answer.
import { CATEGORIES, INTENTS, type Category, type Intent, type Priority } from '../../core/ticket.ts';
import { CATEGORY_RULES, FAULT_RULES, type RuleCategory } from './category-rules.ts';
import { INTENT_RULES } from './intent-rules.ts';
import { PRIORITY_RULES, type PriorityLevel } from './priority-rules.ts';
import { BUSINESS_RULES, TOPIC_RULES } from './topic-rules.ts';
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
  /** What the requester wants, how sure, and the phrases that said so. */
  intent: Intent;
  intentConfidence: number;
  intentEvidence: Array<{ intent: Intent; term: string; weight: number }>;
}

type Scored = RuleCategory | 'other';
const categoryMatchers = [
  ...CATEGORIES.filter((c): c is RuleCategory => c !== 'other').map((category) =>
    compileTerms<Scored>(CATEGORY_RULES.filter((rule) => rule.label === category)),
  ),
  compileTerms<Scored>(TOPIC_RULES),
];
const businessMatcher = compileTerms<Scored>(BUSINESS_RULES);
const faultMatcher = compileTerms<Scored>(FAULT_RULES);
const intentMatcher = compileTerms(INTENT_RULES);
const priorityMatcher = compileTerms(PRIORITY_RULES);
/** Every pattern the classifier matches terms with, as compiled (for the linear-time check of its tests). */
export const TERM_PATTERNS: readonly RegExp[] = [...categoryMatchers, intentMatcher, priorityMatcher].map(
  (matcher) => matcher.pattern,
);
// A raising phrase right after a negator does not count: "no data loss", "not blocked".
const NEGATED_BEFORE = /(?:\b(?:no|not|never|without)|n't)\s+$/;
const NOTHING_MATCHED_CONFIDENCE = 0.2;
// Repeats of one term add, with diminishing returns, up to twice its weight.
const repeatFactor = (count: number): number => 1 + 0.5 * Math.min(count - 1, 2);
const round = (value: number): number => Math.round(value * 100) / 100;

function categoryEvidence(hits: ReadonlyArray<TermHit<Scored>>): ClassifierEvidence[] {
  const byText = new Map<string, { category: Scored; term: string; weight: number; count: number }>();
  for (const hit of hits) {
    const key = `${hit.label}\u0000${hit.text}`;
    const seen = byText.get(key);
    if (seen) seen.count += 1;
    else byText.set(key, { category: hit.label, term: hit.text, weight: hit.weight, count: 1 });
  }
  return [...byText.values()].map(({ category, term, weight, count }) => ({
    category,
    term,
    weight: round(weight * repeatFactor(count)),
  }));
}

// Topic words (money, orders, sales) say what a ticket is about less surely than a technical term says there is a
// fault: a ticket about "the billing of our VPN licences" mentioning the VPN is a network ticket.
const OTHER_FACTOR = 0.6;

// A described fault (something failed, stopped, crashed, errors) at least this heavy makes the ticket a technical one.
const FAULT_MIN = 2;
// The specific score a technical category needs before the fault words count towards it rather than software.
const LEADS = 3;
// Beside a described fault, the requester's line of business says little about the problem.
const BUSINESS_FACTOR_WITH_FAULT = 0.2;
// A ticket that asks for something (information, a feature, a price, an order) and describes no fault: what it asks
// for counts towards `other` by this share of the ask's own score, so a plain ask with a product name in it is not a
// technical ticket, while a technical term heavier than the ask still decides.
const ASK_SHARE = 0.2;
// Intents that ask for something other than the repair of a fault.
const ASKS: ReadonlySet<Intent> = new Set(['question', 'feature_request', 'sales', 'billing', 'order']);

interface Weighing {
  /** How heavily the words describe a fault (the incident intent's score). */
  fault: number;
  /** The ticket mainly asks for something other than a repair. */
  asks: boolean;
  /** The top intent's score when it is an ask. */
  ask: number;
  /** The business-topic terms, which count towards `other` less beside a fault. */
  business: ReadonlySet<string>;
}

function factorOf(item: ClassifierEvidence, weighing: Weighing): number {
  const faulty = weighing.fault >= FAULT_MIN;
  if (item.category === 'other')
    return weighing.business.has(item.term) && faulty ? OTHER_FACTOR * BUSINESS_FACTOR_WITH_FAULT : OTHER_FACTOR;
  return 1;
}

function rankCategories(
  evidence: readonly ClassifierEvidence[],
  weighing: Weighing,
): { scores: Record<Category, number>; ranked: Category[] } {
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  const strongest = new Map<Category, number>();
  for (const item of evidence) {
    if (item.category === 'priority') continue;
    scores[item.category] = round(scores[item.category] + item.weight * factorOf(item, weighing));
    strongest.set(item.category, Math.max(strongest.get(item.category) ?? 0, item.weight));
  }
  if (weighing.asks && weighing.fault < FAULT_MIN) scores.other = round(scores.other + weighing.ask * ASK_SHARE);
  // Ties go to the category with the heavier single term, then to the catalogue order.
  const ranked = [...CATEGORIES].sort(
    (a, b) =>
      scores[b] - scores[a] ||
      (strongest.get(b) ?? 0) - (strongest.get(a) ?? 0) ||
      CATEGORIES.indexOf(a) - CATEGORIES.indexOf(b),
  );
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
  return matchTerms(text, [priorityMatcher]).filter(
    (hit) =>
      !(
        (hit.label === 'critical' || hit.label === 'high') &&
        NEGATED_BEFORE.test(text.slice(Math.max(0, hit.start - 12), hit.start))
      ),
  );
}

// A question mark counts a little towards a question; several count once.
const QUESTION_MARK_WEIGHT = 0.8;
// What a requester wants is said at the start (the subject, the first lines): the rest is detail and logs.
const INTENT_TEXT_CHARS = 2_000;

/**
 * The intent: the heaviest intent by its phrases (repeats with diminishing returns). A ticket whose words ask for
 * nothing in particular is an incident when it is about something technical, `other` when it is not.
 */
function weighIntents(text: string): {
  evidence: Classification['intentEvidence'];
  scores: Map<Intent, number>;
  ranked: Intent[];
} {
  const evidence: Classification['intentEvidence'] = [];
  const counts = new Map<string, { intent: Intent; term: string; weight: number; count: number }>();
  const head = text.slice(0, INTENT_TEXT_CHARS);
  for (const hit of matchTerms(head, [intentMatcher])) {
    const key = `${hit.label}\u0000${hit.text}`;
    const seen = counts.get(key);
    if (seen) seen.count += 1;
    else counts.set(key, { intent: hit.label, term: hit.text, weight: hit.weight, count: 1 });
  }
  for (const { intent, term, weight, count } of counts.values())
    evidence.push({ intent, term, weight: round(weight * repeatFactor(count)) });
  if (head.includes('?')) evidence.push({ intent: 'question', term: '?', weight: QUESTION_MARK_WEIGHT });
  const scores = new Map<Intent, number>(INTENTS.map((i) => [i, 0]));
  for (const item of evidence) scores.set(item.intent, round(scores.get(item.intent)! + item.weight));
  const ranked = [...INTENTS].sort(
    (a, b) => scores.get(b)! - scores.get(a)! || INTENTS.indexOf(a) - INTENTS.indexOf(b),
  );
  return { evidence, scores, ranked };
}

function decideIntent(
  weighed: ReturnType<typeof weighIntents>,
  category: Category,
): Pick<Classification, 'intent' | 'intentConfidence' | 'intentEvidence'> {
  const { evidence } = weighed;
  // Beside a described fault, business-topic words (the sales intent's) say what the requester's work is, not the ask.
  const scores = new Map(weighed.scores);
  if (scores.get('incident')! >= FAULT_MIN)
    scores.set('sales', round(scores.get('sales')! * BUSINESS_FACTOR_WITH_FAULT));
  const ranked = [...INTENTS].sort(
    (a, b) => scores.get(b)! - scores.get(a)! || INTENTS.indexOf(a) - INTENTS.indexOf(b),
  );
  const [best, second] = ranked.map((i) => scores.get(i)!);
  if (!best)
    return {
      intent: category === 'other' ? 'other' : 'incident',
      intentConfidence: NOTHING_MATCHED_CONFIDENCE,
      intentEvidence: [],
    };
  return { intent: ranked[0]!, intentConfidence: confidenceOf(best, second ?? 0), intentEvidence: evidence };
}

export function classifyText(description: string): Classification {
  const text = normalizeText(description);
  const intents = weighIntents(text);
  const businessHits = matchTerms(text, [businessMatcher]);
  const specific = [...categoryEvidence(matchTerms(text, categoryMatchers)), ...categoryEvidence(businessHits)];
  const weighing: Weighing = {
    fault: intents.scores.get('incident')!,
    asks: ASKS.has(intents.ranked[0]!) && intents.scores.get(intents.ranked[0]!)! > 0,
    ask: intents.scores.get(intents.ranked[0]!)!,
    business: new Set(businessHits.map((hit) => hit.text)),
  };
  // The fault words go to the technical category the specific terms lead with, or to software when none does.
  const bySpecific = rankCategories(specific, weighing);
  const leader = bySpecific.ranked.find((c) => c !== 'other' && bySpecific.scores[c] >= LEADS) ?? 'application';
  const evidence = [
    ...specific,
    ...categoryEvidence(matchTerms(text, [faultMatcher])).map((e) => ({ ...e, category: leader })),
  ];
  const { scores, ranked } = rankCategories(evidence, weighing);
  const [first, second] = ranked.map((category) => scores[category]);
  // `other` wins on its own topic words too (billing, orders, sales), not only when nothing technical was said.
  const category = (first ?? 0) > 0 ? ranked[0]! : 'other';
  const priorities = priorityHits(text);
  for (const hit of priorities) evidence.push({ category: 'priority', term: hit.text, weight: hit.weight });
  return {
    category,
    priority: decidePriority(new Set(priorities.map((hit) => hit.label))),
    confidence: confidenceOf(first ?? 0, second ?? 0),
    evidence,
    scores,
    ...decideIntent(intents, category),
  };
}
