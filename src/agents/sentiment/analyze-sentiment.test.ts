import { describe, it, expect } from 'vitest';
import { analyzeSentimentText } from './analyze-sentiment.ts';

type Case = [text: string, sentiment: 'negative' | 'neutral' | 'positive', urgency: 'high' | 'normal' | 'low'];

// Complaints that state facts with no sentiment word at all are the cases a plain lexicon misses.
const complaints: Case[] = [
  ['The VPN is down and nobody in the office can work', 'negative', 'high'],
  ['Checkout returns error 500 since this morning', 'negative', 'high'],
  ["I can't log in to the billing portal", 'negative', 'high'],
  ['the app keeps crashing when I open settings', 'negative', 'high'],
  ['Payroll export never works on Mondays', 'negative', 'high'],
  ['Need the invoices fixed before the demo tomorrow', 'neutral', 'high'],
  ['My flight got cancelled and I have been on hold for 2 hours', 'negative', 'normal'],
  ['Flight 212 delayed again, sitting at the gate for an hour now', 'negative', 'normal'],
  ['Third time I contact you about this. Still no answer.', 'negative', 'normal'],
  ['Charged twice for the same order, I want my money back', 'negative', 'normal'],
  ["Still haven't received my refund after 3 weeks", 'negative', 'normal'],
  ["my suitcase didn't make it to Lisbon", 'negative', 'normal'],
  ['you moved my seat without telling me', 'negative', 'normal'],
  ['This is the 4th email I have sent about the same invoice', 'negative', 'normal'],
  ['been trying to reach someone for two days', 'negative', 'normal'],
  ['is anyone going to answer my messages?', 'negative', 'normal'],
  ['Great, another delay. Love waiting at the gate.', 'negative', 'normal'],
  ['thanks for nothing', 'negative', 'normal'],
  ['WHERE IS MY PACKAGE?? This is RIDICULOUS', 'negative', 'high'],
  ['The report page is extremely slow and this is absolutely terrible!!!', 'negative', 'high'],
  ['I do not like the new dashboard at all', 'negative', 'normal'],
  ['The export is not good', 'negative', 'normal'],
  // Broken expectations, unanswered contact and hold times: facts again, no sentiment word.
  ["I shouldn't have to call three different numbers to change a booking", 'negative', 'normal'],
  ['This is the last time I use your service', 'negative', 'normal'],
  ["Your support line doesn't even pick up", 'negative', 'normal'],
  ['45 minute hold time and counting', 'negative', 'normal'],
  ['Sent email after email about the invoice', 'negative', 'normal'],
  ['great service... not!', 'negative', 'normal'],
];

const others: Case[] = [
  ['Thank you so much, it works now!', 'positive', 'normal'],
  ['The agent on the phone was very helpful, great service', 'positive', 'normal'],
  ['Not bad at all, the new app is really fast', 'positive', 'normal'],
  ['No outage today, all good', 'positive', 'normal'],
  ['How do I change the language of my account?', 'neutral', 'low'],
  ['When you have time, could you add a dark mode? No rush.', 'neutral', 'low'],
  ['Can I bring a second bag on the flight to Oslo?', 'neutral', 'low'],
  ['I need to book a meeting room for next week', 'neutral', 'normal'],
  ['I will be working from the Berlin office for 2 days', 'neutral', 'normal'],
  ['Quick question about exporting invoices to CSV', 'neutral', 'low'],
  ['Not urgent: the footer link points to the old page', 'neutral', 'low'],
];

describe('analyzeSentimentText', () => {
  it.each(complaints)('rates the complaint %j as %s with %s urgency', (text, sentiment, urgency) => {
    const result = analyzeSentimentText(text);
    expect(result.sentiment).toBe(sentiment);
    expect(result.urgency).toBe(urgency);
  });

  it.each(others)('rates %j as %s with %s urgency', (text, sentiment, urgency) => {
    const result = analyzeSentimentText(text);
    expect(result.sentiment).toBe(sentiment);
    expect(result.urgency).toBe(urgency);
  });

  it('rates an outage report with no sentiment words as negative and urgent', () => {
    const result = analyzeSentimentText('Production database is offline, customers are affected');
    expect(result).toMatchObject({ sentiment: 'negative', urgency: 'high' });
    expect(result.evidence.map((e) => e.kind)).toContain('outage');
  });

  it('keeps a negated positive word from counting as positive', () => {
    const plain = analyzeSentimentText('The new release is helpful');
    const negated = analyzeSentimentText('The new release is not helpful');
    expect(plain.sentiment).toBe('positive');
    expect(negated.sentiment).toBe('negative');
    expect(negated.evidence).toContainEqual(expect.objectContaining({ cue: 'not helpful', kind: 'negated' }));
  });

  it('does not count a complaint cue that is negated', () => {
    const result = analyzeSentimentText('The train was not delayed and there was no outage');
    expect(result.evidence.some((e) => e.kind === 'complaint' || e.kind === 'outage')).toBe(false);
    expect(result.sentiment).not.toBe('negative');
  });

  it('weighs an intensified negative word more than the bare word', () => {
    const bare = analyzeSentimentText('The support was bad');
    const intensified = analyzeSentimentText('The support was extremely bad');
    expect(intensified.score).toBeLessThan(bare.score);
  });

  it('lets the clause after "but" outweigh the polite one before it', () => {
    const result = analyzeSentimentText('Thanks for the help, but my laptop is still broken');
    expect(result.sentiment).toBe('negative');
  });

  it('reads shouting as anger and as a sign of urgency in a strong complaint', () => {
    const calm = analyzeSentimentText('this is the worst service and the staff were rude');
    const shouted = analyzeSentimentText('THIS IS THE WORST SERVICE AND THE STAFF WERE RUDE');
    expect(shouted.score).toBeLessThan(calm.score);
    expect(shouted.evidence.map((e) => e.kind)).toContain('shouting');
    expect(shouted.urgency).toBe('high');
    expect(calm.urgency).toBe('normal');
  });

  it('does not read airport codes and acronyms as shouting', () => {
    const result = analyzeSentimentText('Booked JFK to LAX, is HTTPS required for the DNS page?');
    expect(result.evidence.map((e) => e.kind)).not.toContain('shouting');
  });

  it('ignores words inside URLs and @mentions', () => {
    const result = analyzeSentimentText('@AwesomeAir see https://example.com/terrible-awful-page for the seat map');
    expect(result.sentiment).toBe('neutral');
    expect(result.evidence).toEqual([]);
  });

  it('is more confident when several strong cues agree than with a single weak one', () => {
    const weak = analyzeSentimentText('the invoice was late');
    const strong = analyzeSentimentText(
      'Third time asking: the portal is down, I was charged twice and nobody answered',
    );
    expect(weak.sentiment).toBe('negative');
    expect(strong.confidence).toBeGreaterThan(weak.confidence);
    for (const result of [weak, strong]) {
      expect(result.confidence).toBeGreaterThanOrEqual(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('gives a neutral message with cancelling cues less confidence than one with no cues', () => {
    const empty = analyzeSentimentText('Please send me the meeting notes');
    const mixed = analyzeSentimentText('I love the new layout but the login page is slow');
    expect(empty.sentiment).toBe('neutral');
    expect(mixed.confidence).toBeLessThan(empty.confidence);
  });

  it('rates a 1 KB ticket in well under a millisecond', () => {
    const base =
      "Since this morning the VPN keeps dropping every 5 minutes and I can't log in to the portal. " +
      'This is the third time I report it. We have a demo before noon tomorrow, please fix this ASAP! ';
    const ticket = base.repeat(Math.ceil(1024 / base.length)).slice(0, 1024);
    for (let i = 0; i < 50; i += 1) analyzeSentimentText(ticket);
    const runs = 500;
    const started = performance.now();
    for (let i = 0; i < runs; i += 1) analyzeSentimentText(ticket);
    expect((performance.now() - started) / runs).toBeLessThan(1);
  });

  it('stays fast on a 20 000 character pathological input', () => {
    for (const text of ['a'.repeat(20_000), 'no '.repeat(6_600), "can't ".repeat(3_300), '!?'.repeat(10_000)]) {
      const started = performance.now();
      analyzeSentimentText(text);
      expect(performance.now() - started).toBeLessThan(200);
    }
  });
});
