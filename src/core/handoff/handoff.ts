// What a person reads when a ticket comes to them, in plain words: what is asked, about which system, how urgent
// and why, what was checked and found, what is left to do, and which team should take it. Runbook ids and rule
// texts stay in the technical detail (escalation reason, resolution note). A ticket escalated before it was
// analysed (a resolver call on a new ticket, a lost run) is described from what it says and what it was given.
import { isFault } from '../diagnosis/read-diagnosis.ts';
import { namesDeclared, namesEstate } from '../routing/scope.ts';
import {
  NON_TECHNICAL_INTENTS,
  type Analysis,
  type Finding,
  type Intent,
  type Priority,
  type TicketContext,
  type TicketOutcome,
} from '../ticket.ts';

const ASKS: Record<Intent, string> = {
  incident: 'reports something not working',
  service_request: 'asks for something to be set up, supplied or changed',
  access_request: 'asks for access (an account, a password, a permission)',
  question: 'asks a question',
  billing: 'has a billing or payment matter (invoice, charge, refund, subscription)',
  order: 'has an order matter (delivery, return, exchange, warranty)',
  feature_request: 'asks for a new feature or an improvement',
  sales: 'has a sales or marketing enquiry',
  complaint: 'complains about the service they received',
  other: 'wrote something that is not a technical request',
};

const equipmentOf = (analysis: Analysis) =>
  analysis.evidence.scope?.[0]?.replace("the requester's ", '') ?? 'equipment';

const withArticle = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

/**
 * Why the loop does not diagnose this ticket, or undefined when it may. Only our estate is diagnosed: a declared
 * service or device, this host in so many words, an address of ours, or our servers as operators name them. The
 * requester's own equipment and a ticket that names no system at all go to a person — never to checks of this host.
 */
export function notForDiagnosis(analysis: Analysis): string | undefined {
  const { context } = analysis;
  // Analyses stored before scopes existed: what the context names decides.
  const scope = analysis.scope ?? (namesEstate(context) ? 'estate' : 'unnamed');
  if (namesDeclared(context) || (scope === 'estate' && namesEstate(context))) return undefined;
  const intent = analysis.intent ?? 'incident';
  if (NON_TECHNICAL_INTENTS.has(intent)) return `not a technical fault (${intent.replace('_', ' ')})`;
  if (intent !== 'incident')
    return `${withArticle(intent.replace('_', ' '))} that names no system of ours: a person answers it`;
  if (scope === 'customer_equipment')
    return `about the requester's own ${equipmentOf(analysis)}, not a system this platform runs`;
  if (scope !== 'estate') {
    // Hardware is physical: a hardware complaint that names no machine of ours is about a machine in someone's hands.
    if (analysis.category === 'hardware') return 'a hardware complaint that names no machine of ours';
    return 'a fault that names no system of ours (no declared service or device, no host of ours): a person finds out which system it is';
  }
  return undefined;
}

function system(analysis: Analysis | null, given: TicketContext): string {
  const context = analysis?.context ?? { ...given, found: [] };
  if (context.serviceName) return `our service ${context.serviceName}`;
  const ours = context.found.map((f) => `${f.kind} ${f.value}`);
  if (ours.length > 0) return ours.slice(0, 3).join(', ');
  if (context.deviceId) return `device ${context.deviceId}`;
  if (context.url) return `url ${context.url}`;
  if (analysis?.scope === 'customer_equipment') return `the requester's own ${equipmentOf(analysis)}`;
  return 'no system named';
}

function urgency(analysis: Analysis | null, ticket: HandoffTicket): string {
  if (!analysis) {
    const stated = ticket.context?.priority;
    if (stated) return `${stated} (as the source stated it)`;
    return ticket.priority ?? 'not assessed: the ticket was not analysed before it came to a person';
  }
  const cues = analysis.evidence.priority
    .filter((c) => !c.startsWith('classified ') && !c.includes(' failed: ') && !c.includes(': '))
    .slice(0, 3);
  const felt =
    analysis.urgency === 'high'
      ? 'the requester sounds pressed'
      : analysis.urgency === 'low'
        ? 'the requester says it can wait'
        : '';
  const why = [...cues.map((c) => `"${c}"`), felt].filter(Boolean).join(', ');
  return `${analysis.priority}${why ? ` (${why})` : ''}`;
}

function request(analysis: Analysis | null, ticket: HandoffTicket): string {
  if (analysis) return `the requester ${ASKS[analysis.intent ?? 'incident']}: "${analysis.summary}"`;
  const words = (ticket.title?.trim() || ticket.description.trim().split('\n')[0] || '').trim();
  const shown = words.length > 200 ? `${words.slice(0, 199)}…` : words;
  return `the requester wrote: "${shown}" (not analysed before it came to a person)`;
}

/** What the ticket itself says, for the lines an analysis would otherwise give. */
export interface HandoffTicket {
  description: string;
  title?: string | null;
  context?: TicketContext;
  priority?: Priority | null;
}

export interface HandoffFacts {
  /** null: the ticket was not analysed (yet); `ticket` then says what it is about. */
  analysis: Analysis | null;
  ticket?: HandoffTicket;
  team: string;
  outcome: TicketOutcome;
  findings?: readonly Finding[];
  /** What diagnosis checked, in plain words, when it ran. */
  checked?: string;
  /** Why the loop did not diagnose (non-technical intent, the requester's equipment). */
  notDiagnosed?: string;
  /** What is left, in plain words, when the way the ticket came to a person decides it (a denied step, a reopening). */
  leftToDo?: string;
}

function leftToDo(facts: HandoffFacts, open: readonly Finding[]): string {
  const { outcome, analysis } = facts;
  if (facts.leftToDo) return facts.leftToDo;
  if (facts.notDiagnosed) {
    return analysis?.scope === 'customer_equipment' && analysis.intent === 'incident'
      ? 'help the requester with their own equipment; nothing was run on any system of ours'
      : 'answer the requester; nothing was run on any system';
  }
  if (outcome === 'no_fault_found')
    return 'the requester confirms all is well, or reopens the ticket saying what they see';
  if (open.length > 0)
    return `${outcome === 'partial_fix' ? 'finish the fix' : 'fix what was found'}: ${open.map((f) => f.summary).join('; ')}`;
  if (outcome === 'fix_failed') return 'the automatic fix did not hold: look at the system and decide the next step';
  return 'look into it: no automatic check fits this ticket';
}

export function handoffSummary(facts: HandoffFacts): string {
  const { analysis } = facts;
  const ticket: HandoffTicket = facts.ticket ?? { description: analysis?.summary ?? '' };
  const faults = (facts.findings ?? []).filter(isFault);
  const open = faults.filter((f) => f.state !== 'fixed');
  const checked = facts.notDiagnosed
    ? `nothing, on purpose: ${facts.notDiagnosed}`
    : faults.length > 0
      ? `found ${faults.map((f) => `${f.summary} (${f.state})`).join('; ')}`
      : (facts.checked ?? 'no automatic check could be run');
  return [
    `Request: ${request(analysis, ticket)}`,
    `System: ${system(analysis, ticket.context ?? {})}`,
    `Urgency: ${urgency(analysis, ticket)}`,
    `Checked: ${checked}`,
    `Left to do: ${leftToDo(facts, open)}`,
    `Team: ${facts.team}`,
  ].join('\n');
}
