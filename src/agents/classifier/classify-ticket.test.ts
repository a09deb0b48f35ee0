import { describe, it, expect } from 'vitest';
import type { Category, Priority } from '../../core/ticket.ts';
import { classifyText } from './classify-ticket.ts';

type Case = [description: string, category: Category, priority: Priority];

const cases: Case[] = [
  ['A PostgreSQL query has been blocked for 20 minutes and the orders table is locked', 'database', 'high'],
  ['Deadlock detected in MySQL replication on the reporting replica', 'database', 'medium'],
  ['Database connection pool exhausted: too many connections', 'database', 'medium'],
  ['Replication lag on the Postgres standby is growing', 'database', 'medium'],
  ['DNS lookups for the intranet time out from the office VPN', 'network', 'medium'],
  ['Ping to 10.0.0.1 shows 30% packet loss since the switch was replaced', 'network', 'medium'],
  ['Timeout connecting to port 8443 on the partner gateway, maybe the firewall', 'network', 'medium'],
  ['The VPN keeps disconnecting and I can\u2019t work', 'network', 'high'],
  ['We received a phishing email and two users clicked the link', 'security', 'high'],
  ['Suspicious login from an unknown country, then dozens of failed logins on the admin account', 'security', 'high'],
  ['Ransomware encrypted our files on the finance share', 'security', 'critical'],
  ['Our API keys were leaked in a public repository', 'security', 'medium'],
  ['I forgot my password and I am locked out of my account', 'access', 'high'],
  ['Permission denied when I open the HR folder, can you grant access?', 'access', 'medium'],
  ['SSO with MFA fails for new hires: 403 after the authenticator step', 'access', 'medium'],
  ['/var is full: no space left on device on web02', 'storage', 'medium'],
  ['My mailbox quota is exceeded and I cannot receive mail', 'storage', 'medium'],
  ['The backup storage volume ran out of inodes last night', 'storage', 'medium'],
  ['The API server has high CPU and a memory leak, response time is 10 seconds', 'performance', 'medium'],
  ['Load average is 40 on the build machine and everything is sluggish', 'performance', 'medium'],
  ['The reporting screen hangs for a minute every time I filter', 'performance', 'medium'],
  ['The checkout page returns a 500 error after the last deploy', 'application', 'medium'],
  ['The app keeps crashing with a NullPointerException in the stack trace', 'application', 'medium'],
  ["Production is down for everyone, customers can't pay", 'application', 'critical'],
  ['Website down, urgent!!', 'application', 'high'],
  ['My laptop battery is overheating and the fan is loud', 'hardware', 'medium'],
  ['RAID disk failure reported on the file server', 'hardware', 'medium'],
  ['Printer on floor 3 has a paper jam again', 'hardware', 'medium'],
  ['The external monitor stays black through the docking station', 'hardware', 'medium'],
  ['The database was wiped and we have data loss on all customer records', 'database', 'critical'],
  ['Feature request: add a dark mode to the dashboard when you have time', 'application', 'low'],
  ['How do I export a report to PDF?', 'other', 'low'],
  ['Could you order me a new chair? No rush.', 'other', 'low'],
  ['Hello, thank you', 'other', 'medium'],
];

describe('classifyText', () => {
  it.each(cases)('classifies %j as %s with %s priority', (description, category, priority) => {
    const result = classifyText(description);
    expect({ category: result.category, priority: result.priority }).toEqual({ category, priority });
  });

  it('classifies a blocked PostgreSQL query as database and names the terms', () => {
    const result = classifyText('A blocked PostgreSQL query holds a lock on the invoices table');
    expect(result.category).toBe('database');
    expect(result.evidence).toContainEqual({ category: 'database', term: 'postgresql', weight: 3 });
    expect(result.evidence).toContainEqual({ category: 'priority', term: 'blocked', weight: 2 });
    expect(result.scores.database).toBeGreaterThan(result.scores.network);
  });

  it('answers other with low confidence when nothing matches', () => {
    const result = classifyText('The coffee machine on the second floor makes a strange noise');
    expect(result.category).toBe('other');
    expect(result.confidence).toBeLessThanOrEqual(0.3);
    expect(Object.values(result.scores).every((score) => score === 0)).toBe(true);
  });

  it('lets a phrase win over the single words inside it', () => {
    const storage = classifyText('no space left on device');
    expect(storage.category).toBe('storage');
    expect(storage.evidence.some((e) => e.term === 'device')).toBe(false);
    const security = classifyText('possible SQL injection in the search box');
    expect(security.category).toBe('security');
  });

  it('matches whole words only', () => {
    // "accounting" holds "account", "portal" holds "port", "important" holds "port" too.
    const result = classifyText('The accounting portal is important');
    expect(result.evidence).toEqual([]);
    expect(result.category).toBe('other');
  });

  it('breaks ties the same way every time', () => {
    const text = 'the wifi is slow';
    const first = classifyText(text);
    expect(first.scores.network).toBe(first.scores.performance);
    for (let i = 0; i < 5; i += 1) expect(classifyText(text).category).toBe(first.category);
    expect(first.category).toBe('network');
  });

  it('is more confident when one category clearly leads', () => {
    const clear = classifyText('PostgreSQL deadlock on the orders table, replication lag rising');
    const split = classifyText('the wifi is slow');
    expect(clear.confidence).toBeGreaterThan(split.confidence);
    expect(clear.confidence).toBeLessThanOrEqual(1);
  });

  it('does not raise priority for a negated alarm', () => {
    expect(classifyText('There is no data loss but the backup volume is 95% full').priority).toBe('medium');
    expect(classifyText('The printer is not urgent, the toner is low').priority).toBe('low');
  });

  it('counts a repeated term with diminishing returns', () => {
    const once = classifyText('slow');
    const thrice = classifyText('slow, slow, slow, slow, slow');
    expect(thrice.scores.performance).toBeGreaterThan(once.scores.performance);
    expect(thrice.scores.performance).toBe(once.scores.performance * 2);
  });

  // Catastrophic backtracking would take hours here and time the test out; linear-time.test.ts proves every pattern
  // linear with the recheck analyser, and bench/triage-text prints the time these inputs take.
  it('classifies long and pathological input', () => {
    expect(classifyText('error '.repeat(3_300)).category).toBe(classifyText('error').category);
    for (const text of ['a-'.repeat(10_000), 'slow_'.repeat(4_000), ' '.repeat(20_000)]) {
      expect(classifyText(text).priority).toEqual(expect.any(String));
    }
  });
});

describe('intent', () => {
  it.each([
    ['The VPN keeps dropping since this morning and I cannot connect', 'incident'],
    ['Our website shows an error page for every customer', 'incident'],
    ['I was charged twice for my subscription this month, please refund one', 'billing'],
    ['Where is my invoice for March? The amount on the bill looks wrong', 'billing'],
    ['My order number 5521 has not been delivered yet, the tracking shows nothing', 'order'],
    ['The headphones I bought arrived damaged, I would like a replacement under warranty', 'order'],
    ['How do I export a report to PDF?', 'question'],
    ['Could you provide more information on the integrations your product supports?', 'question'],
    ['It would be great if you could add a dark mode to the dashboard', 'feature_request'],
    ['Please add support for exporting to Excel', 'feature_request'],
    ['Please grant access to the finance folder for our new colleague', 'access_request'],
    ['I forgot my password, can you reset it?', 'access_request'],
    ['Could I get a second monitor for my desk?', 'service_request'],
    ['We are interested in a partnership to grow our brand with a marketing campaign', 'sales'],
    ['This is unacceptable, I am very disappointed with how rude your staff was', 'complaint'],
    ['Hello, thank you', 'other'],
  ] as const)('reads %j as %s', (text, intent) => {
    expect(classifyText(text).intent).toBe(intent);
  });

  it('says which phrases decided the intent and how sure it is', () => {
    const result = classifyText('I was charged twice, please refund me');
    expect(result.intentEvidence.some((e) => e.intent === 'billing' && e.term === 'refund')).toBe(true);
    expect(result.intentConfidence).toBeGreaterThan(classifyText('Hello, thank you').intentConfidence);
  });

  it('puts a ticket about money or orders in other even when it names a page', () => {
    expect(
      classifyText('The invoice I received shows a wrong amount, I was overcharged and need a refund').category,
    ).toBe('other');
    expect(classifyText('My order has not been delivered and the tracking number does not work').category).toBe(
      'other',
    );
  });
});

describe('intent of a device that charges', () => {
  it('is not billing', () => {
    expect(classifyText('my phone no longer charges when I plug it in').intent).toBe('incident');
  });
});

describe('fault narrative', () => {
  it.each([
    'Our reporting tool keeps malfunctioning since the update; we reinstalled it and the problem continues',
    'The booking system had two hours of downtime this afternoon, restarting did not help',
    'After the upgrade to version 4 the scheduler fails to load and the issue persists',
    'The newsletter editor lost data twice this week, we cleared the cache to no avail',
  ])('reads %j as a software fault', (text) => {
    const result = classifyText(text);
    expect(result.category).toBe('application');
    expect(result.intent).toBe('incident');
  });

  it.each<[string, Category]>([
    ['The login failed again after the update, clearing the cache did not help', 'access'],
    ['We are having trouble signing in since the server restart this morning', 'access'],
    ['The VPN tunnel drops after the latest client update, reinstalling did not help', 'network'],
    ['My laptop overheats and shuts down since the firmware update, I rebooted twice', 'hardware'],
  ])('lets %j stay %s: the fault words confirm the named kind of problem', (text, category) => {
    expect(classifyText(text).category).toBe(category);
  });

  it.each([
    'Our advertising campaign dashboard crashed after the update and keeps failing to load',
    'The portfolio tracking tool for our investors stopped working, restarting the servers did not help',
    'Brand strategy reports are corrupted since the new version, the problem persists',
  ])('reads %j as a fault, not as a business topic', (text) => {
    const result = classifyText(text);
    expect(result.category).toBe('application');
    expect(result.intent).toBe('incident');
  });
});

describe('business topics and asks without a fault', () => {
  it.each([
    'We would like advice on a marketing strategy to grow our brand next quarter',
    'Could you share information about investment portfolio options for a small business?',
    'Is there a way to pay the annual plan by bank transfer instead of card?',
    'I would like to know which payment methods you accept for the premium plan',
  ])('puts %j in other', (text) => {
    expect(classifyText(text).category).toBe('other');
  });
});

describe("the requester's own device", () => {
  it.each([
    'My printer will not join the wireless network any more',
    'Our scanner drops off the wifi every few minutes',
    'The connection of my headset keeps cutting out during calls',
    'My tablet cannot stay connected to the office network',
  ])('reads %j as hardware, not as the network', (text) => {
    expect(classifyText(text).category).toBe('hardware');
  });

  it('does not take a phone number for a phone', () => {
    const result = classifyText('Please call me back, my phone number is in my signature');
    expect(result.category).toBe('other');
    expect(result.evidence.some((e) => e.category === 'hardware' && e.weight > 0)).toBe(false);
  });
});

describe('getting in: sign-in, locked accounts and rights', () => {
  it.each([
    'Since Tuesday I am unable to access my account on the customer portal',
    'Every time I open the sign-in page it says my session expired',
    'The verification code never arrives so I cannot finish signing in',
    'My account was suspended overnight, please reactivate my account',
    'I need admin rights on the shared calendar to edit the team rota',
  ])('puts %j in access', (text) => {
    expect(classifyText(text).category).toBe('access');
  });
});

describe('slowness as users tell it', () => {
  it.each([
    'There is a noticeable slowdown in the reporting tool every afternoon',
    'Search results come back with long delays and the pages are very slow',
    'The whole intranet has become inefficient and keeps underperforming since spring',
  ])('puts %j in performance', (text) => {
    expect(classifyText(text).category).toBe('performance');
  });

  it('does not count restarting my own laptop as a hardware problem when the app is what crashes', () => {
    expect(
      classifyText('The planning app crashes on start; restarting my laptop did not change anything').category,
    ).toBe('application');
  });
});

describe('keeping data safe', () => {
  it.each([
    'What encryption do you use for the files we upload to your platform?',
    'We need guidance on securing patient records to stay HIPAA compliant',
    'How do you protect sensitive information of our staff under the GDPR?',
    'Please explain how confidentiality of the archived contracts is ensured',
  ])('puts %j in security', (text) => {
    expect(classifyText(text).category).toBe('security');
  });
});
