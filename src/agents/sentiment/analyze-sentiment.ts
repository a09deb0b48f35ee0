// Rates a support message without a model: support-domain cues, lexicon words, shouting and exclamation
// marks add up to a score, from which come the sentiment, the urgency and a confidence.
import type { Sentiment, Urgency } from '../../core/ticket.ts';
import { WORD_VALENCE, NEGATORS } from './lexicon.ts';
import { CUES, KIND_URGENCY, type CueKind } from './support-cues.ts';
import { scoreWords } from './word-scorer.ts';

export interface SentimentEvidence {
  cue: string;
  kind: string;
  weight: number;
}

export interface SentimentAnalysis {
  sentiment: Sentiment;
  confidence: number;
  urgency: Urgency;
  /** Sum of the evidence weights: below -1 negative, above +1 positive. */
  score: number;
  evidence: SentimentEvidence[];
}

interface CueHit extends SentimentEvidence {
  kind: CueKind;
  start: number;
  end: number;
}

const NEGATIVE_AT = -1;
const POSITIVE_AT = 1;
const MAX_HITS_PER_CUE = 2;
// URLs and @mentions are addresses, not words: "@AwesomeAir" says nothing about the writer's mood.
const ADDRESSES = /https?:\/\/\S+|(?<![\w@])@\w+/g;
const NEGATED_BEFORE = /(?:\b(?:not|never|without|no)|n't)\s+$/;
// A cue right after a negator does not apply ("no outage", "wasn't delayed", "not fixed").
const NEGATABLE = new Set<CueKind>([
  'outage',
  'blocked',
  'deadline',
  'urgent',
  'waiting',
  'complaint',
  'resolved',
  'praise',
  'impact',
]);
// Four capital letters or more, so airport codes and most acronyms are not read as shouting.
const SHOUTED = /\b[A-Z][A-Z']{3,}\b/g;
const ACRONYMS = new Set([
  'HTTP',
  'HTTPS',
  'RAID',
  'JSON',
  'HTML',
  'LDAP',
  'SMTP',
  'IMAP',
  'NTFS',
  'UEFI',
  'BIOS',
  'DHCP',
  'SAML',
  'OAUTH',
  'CORS',
  'YAML',
  'DDOS',
  'BSOD',
  'SFTP',
  'NGINX',
  'MYSQL',
  'REST',
  'GDPR',
  'SSID',
  'WIFI',
  'VLAN',
  'NULL',
  'TODO',
  'IMHO',
  'NASA',
  'ASAP',
]);
// Politeness and sarcasm ride along with complaints ("thanks, but my bag is still lost"): once the facts
// clearly complain, positive words count for less.
const COMPLAINT_MASS = 2;
const POLITENESS_DISCOUNT = 0.4;

function matchCues(lowered: string): CueHit[] {
  const hits: CueHit[] = [];
  for (const cue of CUES) {
    let taken = 0;
    for (const match of lowered.matchAll(cue.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (end === start || hits.some((hit) => start < hit.end && hit.start < end)) continue;
      if (NEGATABLE.has(cue.kind) && NEGATED_BEFORE.test(lowered.slice(Math.max(0, start - 12), start))) continue;
      hits.push({ cue: match[0].replace(/\s+/g, ' '), kind: cue.kind, weight: cue.weight, start, end });
      taken += 1;
      if (taken === MAX_HITS_PER_CUE) break;
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

function claimedMask(length: number, hits: readonly CueHit[]): Uint8Array {
  const claimed = new Uint8Array(length);
  for (const hit of hits) claimed.fill(1, hit.start, hit.end);
  return claimed;
}

function sum(evidence: readonly SentimentEvidence[]): number {
  return evidence.reduce((total, item) => total + item.weight, 0);
}

/** Shouting and "!!!" amplify whatever the message already says; shouting with no other cue reads as anger. */
function intensityEvidence(original: string, score: number): { evidence: SentimentEvidence[]; intense: boolean } {
  const shouted = (original.match(SHOUTED) ?? []).filter((word) => !ACRONYMS.has(word));
  const loaded = shouted.some((word) => WORD_VALENCE.has(word.toLowerCase()) || NEGATORS.has(word.toLowerCase()));
  const shouting = shouted.length >= 2 || (shouted.length === 1 && loaded);
  const exclamations = Math.min(4, (original.match(/!/g) ?? []).length);
  const evidence: SentimentEvidence[] = [];
  if (shouting) evidence.push({ cue: shouted.slice(0, 3).join(' '), kind: 'shouting', weight: score > 0 ? 1 : -1.5 });
  const direction = Math.sign(score + sum(evidence));
  if (exclamations > 0 && direction !== 0) {
    evidence.push({ cue: '!'.repeat(exclamations), kind: 'exclamation', weight: direction * 0.3 * exclamations });
  }
  return { evidence, intense: shouting || exclamations >= 2 };
}

function decideUrgency(
  hits: readonly CueHit[],
  sentiment: Sentiment,
  score: number,
  intense: boolean,
  text: string,
): Urgency {
  const fired = new Set(hits.map((hit) => KIND_URGENCY[hit.kind]));
  const pressing = hits.some((hit) => hit.kind === 'deadline' || hit.kind === 'urgent');
  const negative = sentiment === 'negative';
  if (fired.has('calm') && !pressing) return 'low';
  if (fired.has('high') || (fired.has('impact') && negative)) return 'high';
  if (negative && score <= -5 && intense) return 'high';
  if (!negative && (fired.has('soft') || /\?[\s)]*$/.test(text))) return 'low';
  return 'normal';
}

function confidenceOf(sentiment: Sentiment, score: number, evidence: readonly SentimentEvidence[]): number {
  const mass = evidence.reduce((total, item) => total + Math.abs(item.weight), 0);
  // Neutral is most certain when nothing fired, least when strong cues cancelled each other out.
  if (sentiment === 'neutral') return 0.6 - 0.3 * Math.min(1, mass / 6);
  const agreement = Math.abs(score) / mass;
  const strength = 1 - Math.exp(-Math.abs(score) / 3);
  const breadth = 0.02 * Math.min(4, evidence.filter((item) => Math.sign(item.weight) === Math.sign(score)).length);
  return Math.min(0.97, 0.5 + 0.4 * strength * (0.5 + 0.5 * agreement) + breadth);
}

const round = (value: number): number => Math.round(value * 100) / 100;

export function analyzeSentimentText(text: string): SentimentAnalysis {
  const original = text.replace(/[’‘`]/g, "'").replace(ADDRESSES, (match) => ' '.repeat(match.length));
  const lowered = original.toLowerCase();
  const hits = matchCues(lowered);
  const words = scoreWords(lowered, claimedMask(lowered.length, hits));
  const complaintMass = -hits.reduce((total, hit) => total + Math.min(0, hit.weight), 0);
  const wordEvidence = words.evidence.map((item) =>
    complaintMass >= COMPLAINT_MASS && item.weight > 0 ? { ...item, weight: item.weight * POLITENESS_DISCOUNT } : item,
  );
  const ordered = [...hits, ...wordEvidence].sort((a, b) => a.start - b.start);
  const intensity = intensityEvidence(original, sum(ordered));
  const evidence = [...ordered, ...intensity.evidence].map(({ cue, kind, weight }) => ({
    cue,
    kind,
    weight: round(weight),
  }));
  const score = round(sum(evidence));
  const sentiment: Sentiment = score <= NEGATIVE_AT ? 'negative' : score >= POSITIVE_AT ? 'positive' : 'neutral';
  const intense = intensity.intense || words.intensified;
  return {
    sentiment,
    confidence: round(confidenceOf(sentiment, score, evidence)),
    urgency: decideUrgency(hits, sentiment, score, intense, text.trim()),
    score,
    evidence,
  };
}
