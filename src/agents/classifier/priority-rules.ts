// Phrases that set a ticket's priority: critical for outages that hit everyone or production, data loss
// and breaches; high for urgency and blocked work; low for questions and requests that can wait.
import type { TermRule } from './term-matcher.ts';

/** `calm` is an explicit "this can wait"; `question` only lowers a ticket nothing else raised. */
export type PriorityLevel = 'critical' | 'high' | 'calm' | 'question';

export const LEVEL_WEIGHT: Readonly<Record<PriorityLevel, number>> = { critical: 3, high: 2, calm: 1, question: 0.5 };

const table: Record<PriorityLevel, readonly string[]> = {
  critical: [
    '{down for everyone|down for everybody|down for all users|down for all customers|everyone is affected|all users are affected|all users affected|all customers affected|nobody can work|no one can work|nobody can log in|no one can log in}',
    "{entire|whole} {company|office|organisation|organization|site|building} {is down|is offline|is affected|can't work|cannot work}",
    '{company-wide|site-wide|sitewide|all users|every user|all customers}',
    '{production|prod} {is down|down|outage|is offline|offline|is unavailable|unavailable|is broken|broken}',
    '{data loss|lost data|lost all data|data was lost|data is lost|data corruption|corrupted data|data deleted|deleted data|database corrupted|corrupt database|corrupted database}',
    '{security breach|data breach|breach|breached|ransomware|compromised|hacked|data leak|leaked credentials|leaked passwords}',
    '{major outage|complete outage|total outage|full outage|sev1|sev 1|severity 1|p1|p0}',
    "{customers|clients|users} {can't|cannot|are unable to} {pay|order|check out|checkout|log in|login|buy}",
    '{payments|payment|checkout} {are down|is down|failing|are failing|is failing}',
  ],
  high: [
    '{urgent|urgently|asap|as soon as possible|immediately|emergency|critical|high priority|top priority|right away}',
    "{blocked|blocking|blocker|can't work|cannot work|unable to work|can't do my job|locked out}",
    'by {today|tonight|tomorrow|eod|end of day|noon|this afternoon}',
    'before the {demo|meeting|release|launch|presentation|audit}',
    '{deadline|escalate|escalated|escalating}',
    '{malware|virus|phishing|suspicious login*|suspicious activity|failed logins|brute force|intrusion|vulnerability}',
    '{outage|is down|are down|went down|is offline|website down|site down|service down|server down}',
    '{production|prod} {issue|issues|problem|incident|error|errors|bug|server|database|system}',
    '{whole team|entire team|many users|several users|multiple users|all of us|customers are complaining|customers affected|customer-facing}',
  ],
  calm: [
    '{no rush|no hurry|not urgent|not a priority|low priority|whenever you can|whenever possible|when you have time|when you get a chance|when you get time|at your convenience}',
    '{nice to have|feature request|would be nice|enhancement|suggestion|cosmetic|typo|minor}',
  ],
  question: [
    '{question|questions|how do i|how to|how can i|how should i|is it possible|is there a way|wondering|curious}',
    '{documentation|docs|guide|tutorial|just checking|fyi}',
  ],
};

export const PRIORITY_RULES: ReadonlyArray<TermRule<PriorityLevel>> = Object.entries(table).flatMap(([label, terms]) =>
  terms.map((term) => ({ label: label as PriorityLevel, term, weight: LEVEL_WEIGHT[label as PriorityLevel] })),
);
