// The incidents the platform is judged by, as data: what breaks (on the lab's real systems), how people write
// about it (plain words, no runbook keywords; the first phrasing is the plainest), the honest outcome, and how
// to see the fault as the app sees it. Faults are armed by `arrange` and taken away by `reset`, so phrasings of
// one incident and incidents of one run do not leak into each other.
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { FixtureId, Lab } from './lab.ts';
import { exportData, pageProblem, serviceLogLines } from './lab-services.ts';

export const FINDING_IDS = [
  'postgres.lock_contention',
  'postgres.connections_exhausted',
  'redis.memory_full',
  'service.unreachable',
  'service.http_error',
  'config.differs_from_baseline',
  'disk.nearly_full',
  'certificate.expiring',
  'auth.brute_force',
  'host.overloaded',
  'network.port_closed',
] as const;
export type FindingId = (typeof FINDING_IDS)[number];
export type FindingState = 'confirmed' | 'fixed' | 'remains';
export type Outcome = 'resolved' | 'no_fault_found' | 'escalated' | 'awaiting_approval';

/**
 * fixable: a real fault the platform can fix itself (an admin approves when `approve`);
 * escalate: a real fault with no safe automatic fix, or one only partly fixable: a human must get it, named;
 * false_alarm: nothing is wrong (or a legitimate difference): nothing may change;
 * ambiguous: the words fit several systems; not_technical: not an IT fault at all.
 */
export type IncidentKind = 'fixable' | 'escalate' | 'false_alarm' | 'ambiguous' | 'not_technical';

/** Which test file runs it: databases and stores, HTTP(S) services, hosts (disks, logs, ports, requests). */
export type Area = 'data' | 'services' | 'hosts';

export interface Incident {
  id: string;
  area: Area;
  title: string;
  kind: IncidentKind;
  /**
   * What the platform cannot do yet for this incident, when that is known: its tests are declared as expected to
   * fail (they turn red the day it works, so the mark is removed), and the bench still counts what happened.
   */
  knownGap?: string;
  uses: FixtureId[];
  /** As users write them; `{port}` is filled from `words`. */
  phrasings: string[];
  expect: {
    status: Outcome | Outcome[];
    findings?: Array<{ id: FindingId; state: FindingState | FindingState[] }>;
    /** Words the escalation reason must contain (e.g. both services of an ambiguous ticket). */
    reasonNames?: string[];
  };
  /** Approve the fix as an admin when the ticket asks (the approval must show the diagnosis's figures). */
  approve?: boolean;
  /** Snapshot keys the expected fix may change; any other difference is an unneeded change. */
  mayChange?: string[];
  arrange(lab: Lab): Promise<void>;
  reset(lab: Lab): Promise<void>;
  /** The fault is there all along (nothing here arms or clears it). */
  standing?: boolean;
  /** The fault as the app sees it, or null when it is gone. Absent when nothing is wrong. */
  fault?(lab: Lab): Promise<string | null>;
  /** Data that must still be there afterwards, whatever the outcome: problems found. */
  keeps?(lab: Lab): Promise<string[]>;
  words?(lab: Lab): Promise<Record<string, string>>;
}

const nothing = async () => undefined;
const page = (id: 'web' | 'shop' | 'invoices' | 'kiosk') => async (lab: Lab) => {
  const s = await lab.use(id);
  return pageProblem(await s.get(), s.expected);
};
const resetService = (id: 'web' | 'shop' | 'invoices' | 'kiosk' | 'portal') => async (lab: Lab) =>
  (await lab.use(id)).reset();

async function certificateDaysLeft(lab: Lab): Promise<number> {
  const portal = await lab.use('portal');
  const url = new URL(portal.page);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host: url.hostname, port: Number(url.port), ca: readFileSync(portal.ca!), servername: 'localhost' },
      () => {
        const cert = socket.getPeerCertificate();
        socket.end();
        resolve((Date.parse(cert.valid_to) - Date.now()) / 86_400_000);
      },
    );
    socket.once('error', reject);
  });
}

const diskFull = (id: 'billingLogs' | 'analyticsLogs') => async (lab: Lab) => {
  const used = (await lab.use(id)).usedPercent();
  return used >= 90 ? `the log disk is ${used} % used` : null;
};

const MIB = 1024 * 1024;

export const INCIDENTS: Incident[] = [
  {
    id: 'inventory-lock-chain',
    area: 'data',
    title: "Idle-in-transaction UPDATE, ALTER TABLE queued behind it, the app's SELECTs behind that",
    kind: 'fixable',
    uses: ['inventory'],
    phrasings: [
      'The inventory screens have not moved for ages, nobody in the warehouse can see stock levels.',
      'Stock levels will not show up on any inventory screen since this morning, the spinner just keeps going.',
      'inventory-db: the warehouse team sees an endless spinner on every stock page',
    ],
    expect: { status: 'resolved', findings: [{ id: 'postgres.lock_contention', state: 'fixed' }] },
    arrange: async (lab) => (await lab.use('inventory')).lockChain(),
    reset: async (lab) => (await lab.use('inventory')).clear(),
    fault: async (lab) => {
      const db = await lab.use('inventory');
      const waiting = await db.waitingOnLocks();
      return waiting > 0 ? `${waiting} sessions wait on locks` : db.appCheck();
    },
  },
  {
    id: 'inventory-idle-report',
    area: 'data',
    title: 'A reporting job locked the stock table and went idle with its transaction open',
    kind: 'fixable',
    uses: ['inventory'],
    phrasings: [
      'Since the nightly figures job ran, the stock pages in the warehouse never finish showing anything.',
      'The warehouse db is not answering stock lookups, the pages spin forever',
    ],
    expect: { status: 'resolved', findings: [{ id: 'postgres.lock_contention', state: 'fixed' }] },
    arrange: async (lab) => (await lab.use('inventory')).idleLock(),
    reset: async (lab) => (await lab.use('inventory')).clear(),
    fault: async (lab) => {
      const db = await lab.use('inventory');
      return (await db.waitingOnLocks()) > 0 ? 'the stock screens wait on a lock' : db.appCheck();
    },
  },
  {
    id: 'inventory-false-alarm',
    area: 'data',
    title: 'A healthy inventory database someone worried about',
    kind: 'false_alarm',
    uses: ['inventory'],
    phrasings: [
      'Someone said the inventory screens were a bit behind this morning, can you take a look?',
      'stock levels on the warehouse screens looked odd earlier, probably nothing',
    ],
    expect: { status: 'no_fault_found' },
    arrange: nothing,
    reset: nothing,
  },
  {
    id: 'crm-slots-reserved',
    area: 'data',
    title: 'A report export holds every PostgreSQL slot not reserved for superusers: the app role gets 53300',
    kind: 'fixable',
    uses: ['crm'],
    approve: true,
    phrasings: [
      'Nobody in sales can open the CRM this morning, it just says it cannot sign them in.',
      'The customer database keeps turning the sales team away when they try to look up accounts',
      'crm-db: sales people get an odd message about reserved slots when they open it',
    ],
    expect: { status: 'resolved', findings: [{ id: 'postgres.connections_exhausted', state: 'fixed' }] },
    arrange: async (lab) => (await lab.use('crm')).fill(),
    reset: async (lab) => (await lab.use('crm')).clear(),
    fault: async (lab) => (await lab.use('crm')).appCheck(),
  },
  {
    id: 'sessions-memory-full',
    area: 'data',
    title: 'The sessions Redis at maxmemory with noeviction refuses writes',
    kind: 'escalate',
    uses: ['sessions'],
    phrasings: [
      'The sessions store is refusing to save, people get signed out the moment they add something to the basket.',
      'Shoppers lose their baskets as soon as they add an item, the thing that keeps them signed in seems unhappy',
      'sessions: every new sign-in is rejected since about noon',
    ],
    expect: { status: 'escalated', findings: [{ id: 'redis.memory_full', state: ['confirmed', 'remains'] }] },
    arrange: async (lab) => (await lab.use('sessions')).fill(),
    reset: async (lab) => (await lab.use('sessions')).clear(),
    fault: async (lab) => (await lab.use('sessions')).appWrite(),
  },
  {
    id: 'sessions-false-alarm',
    area: 'data',
    title: 'A healthy sessions store after one customer was signed out',
    kind: 'false_alarm',
    uses: ['sessions'],
    phrasings: [
      'A customer said she was signed out of her basket once this morning, is the session store alright?',
      'Is the place that keeps shoppers signed in behaving? one person lost a basket',
    ],
    expect: { status: 'no_fault_found' },
    arrange: nothing,
    reset: nothing,
  },
  {
    id: 'image-cache-at-limit',
    area: 'data',
    title: 'An LRU image cache at its limit, dropping old entries as designed',
    kind: 'false_alarm',
    uses: ['imageCache'],
    phrasings: [
      'The picture cache is at its limit all the time, is that a problem?',
      'Thumbnail cache looks maxed out on the graphs, should we worry?',
    ],
    expect: { status: 'no_fault_found' },
    arrange: async (lab) => (await lab.use('imageCache')).fill(),
    reset: async (lab) => (await lab.use('imageCache')).clear(),
  },
  {
    id: 'sessions-killed',
    area: 'data',
    title: 'The sessions Redis was killed; its restart script brings it back',
    kind: 'fixable',
    uses: ['sessions'],
    phrasings: [
      'The session store is gone, nobody stays signed in.',
      'sessions has vanished, people cannot stay signed in or keep a basket',
    ],
    expect: { status: 'resolved', findings: [{ id: 'service.unreachable', state: 'fixed' }] },
    mayChange: ['sessions:pid', 'sessions:config', 'sessions:sessions'],
    arrange: async (lab) => (await lab.use('sessions')).kill(),
    reset: async (lab) => (await lab.use('sessions')).clear(),
    fault: async (lab) => (await lab.use('sessions')).appWrite(),
  },
  {
    id: 'web-killed',
    area: 'services',
    title: 'The website process was killed; it has a restart command',
    kind: 'fixable',
    uses: ['web'],
    phrasings: [
      'Our website is gone, customers just get a blank browser page.',
      'The homepage does not open for anyone since ten minutes ago',
      'web is not there any more, the public site shows nothing',
    ],
    expect: { status: 'resolved', findings: [{ id: 'service.unreachable', state: 'fixed' }] },
    mayChange: ['web:pid'],
    arrange: async (lab) => (await lab.use('web')).kill(),
    reset: resetService('web'),
    fault: page('web'),
  },
  {
    id: 'web-false-alarm',
    area: 'services',
    title: 'A healthy website someone had a feeling about',
    kind: 'false_alarm',
    uses: ['web'],
    phrasings: [
      'My aunt says the public site looked weird on her phone, can someone check?',
      'is the homepage OK? a customer mentioned something',
    ],
    expect: { status: 'no_fault_found' },
    arrange: nothing,
    reset: nothing,
  },
  {
    id: 'shop-wedged',
    area: 'services',
    title: 'The shop process runs but answers only 500 until restarted',
    kind: 'fixable',
    uses: ['shop'],
    phrasings: [
      'The online shop shows customers an oops page instead of the products.',
      'Customers cannot order: the webshop gives them a broken page whatever they click',
      'shop: every page is a white page with a server message, checkout impossible',
    ],
    expect: { status: 'resolved', findings: [{ id: 'service.http_error', state: 'fixed' }] },
    mayChange: ['shop:pid'],
    arrange: async (lab) => (await lab.use('shop')).wedge(),
    reset: resetService('shop'),
    fault: page('shop'),
  },
  {
    id: 'invoices-bad-edit',
    area: 'services',
    title: 'A hand edit broke the invoices config (a trailing comma); its baseline is good',
    kind: 'fixable',
    uses: ['invoices'],
    phrasings: [
      'Since someone edited something on the invoice pages this morning, customers only get a broken page.',
      'Customers cannot see their invoices, the page is broken since the update at 9',
      "invoices is broken after this morning's tweak",
    ],
    expect: { status: 'resolved', findings: [{ id: 'config.differs_from_baseline', state: 'fixed' }] },
    mayChange: ['invoices:config', 'invoices:pid'],
    arrange: async (lab) =>
      (await lab.use('invoices')).writeConfig('{\n  "currency": "EUR",\n  "footer": "Northwind Ltd",\n}\n'),
    reset: resetService('invoices'),
    fault: page('invoices'),
  },
  {
    id: 'pricing-legit-vat',
    area: 'services',
    title: 'A healthy pricing service whose config legitimately differs from its baseline (new VAT)',
    kind: 'false_alarm',
    uses: ['pricing'],
    phrasings: [
      'prices look a bit off, can someone double check the new VAT?',
      'The price list shows 21% VAT now, is that right?',
    ],
    expect: { status: ['no_fault_found', 'escalated'] },
    arrange: nothing,
    reset: nothing,
  },
  {
    id: 'shop-junk-file',
    area: 'services',
    title: 'A request to delete a file on a healthy shop whose config differs legitimately',
    kind: 'not_technical',
    uses: ['shop'],
    phrasings: [
      'Please purge the junk file on shop',
      'Could someone delete the leftover junk file from the webshop box?',
    ],
    expect: { status: ['escalated', 'no_fault_found'] },
    arrange: nothing,
    reset: nothing,
  },
  {
    id: 'kiosk-killed',
    area: 'services',
    title: "The store kiosks' service was killed and has no declared restart",
    kind: 'escalate',
    uses: ['kiosk'],
    phrasings: [
      'The screens in the store where people look up aisles show nothing at all',
      'kiosk is blank in all our branches since the morning',
    ],
    expect: { status: 'escalated', findings: [{ id: 'service.unreachable', state: ['confirmed', 'remains'] }] },
    arrange: async (lab) => (await lab.use('kiosk')).kill(),
    reset: resetService('kiosk'),
    fault: page('kiosk'),
  },
  {
    id: 'orders-ambiguous',
    area: 'services',
    title: 'Two order services fit the words; the ticket says which neither',
    kind: 'ambiguous',
    uses: ['ordersEu', 'ordersUs'],
    phrasings: [
      'The order pages look wrong to customers, can someone have a look?',
      'Order tracking shows nothing for customers since noon',
    ],
    expect: { status: 'escalated', reasonNames: ['orders-eu', 'orders-us'] },
    arrange: nothing,
    reset: nothing,
  },
  {
    id: 'portal-certificate',
    area: 'services',
    title: "The staff portal's certificate expires in 3 days",
    kind: 'escalate',
    uses: ['portal'],
    phrasings: [
      'The staff sign-in site warns that it will stop being trusted in a few days',
      'Colleagues get a browser warning that the employee site will not be secure after this weekend.',
    ],
    expect: { status: 'escalated', findings: [{ id: 'certificate.expiring', state: ['confirmed', 'remains'] }] },
    arrange: async (lab) => (await lab.use('portal')).serveCertificate!('short'),
    reset: async (lab) => (await lab.use('portal')).serveCertificate!('long'),
    fault: async (lab) => {
      const days = await certificateDaysLeft(lab);
      return days < 30 ? `the certificate expires in ${days.toFixed(1)} days` : null;
    },
  },
  {
    id: 'billing-logs-fill',
    area: 'hosts',
    title: 'A 16 MB log disk 94 % full of compressible logs',
    kind: 'fixable',
    uses: ['billing', 'billingLogs'],
    phrasings: [
      'The billing server has almost no free storage left and payment runs may fail tonight',
      'Payment runs warn that their storage is nearly used up',
      'billing: storage almost used up, please tidy it',
    ],
    expect: { status: 'resolved', findings: [{ id: 'disk.nearly_full', state: 'fixed' }] },
    mayChange: ['billing:logs'],
    arrange: async (lab) =>
      (await lab.use('billingLogs')).write('app.log', serviceLogLines('billing', Math.round(15.1 * MIB))),
    reset: async (lab) => (await lab.use('billingLogs')).clear(),
    fault: diskFull('billingLogs'),
    keeps: async (lab) => [(await lab.use('billingLogs')).lost('app.log')].filter((p): p is string => p !== null),
  },
  {
    id: 'analytics-partial',
    area: 'hosts',
    title: 'A 46 MB log disk: a 42 MB incompressible culprit whose gzip fails with ENOSPC',
    kind: 'escalate',
    uses: ['analytics', 'analyticsLogs'],
    phrasings: [
      'The analytics machine is out of storage and the monthly figures will not save',
      'Management figures cannot be saved, the storage on that box is used up',
    ],
    expect: { status: 'escalated', findings: [{ id: 'disk.nearly_full', state: ['remains', 'confirmed'] }] },
    mayChange: ['analytics:logs'],
    arrange: async (lab) => {
      const disk = await lab.use('analyticsLogs');
      disk.write('export-debug.log', exportData(42 * MIB));
      disk.write('app.log', serviceLogLines('analytics', 2 * MIB));
    },
    reset: async (lab) => (await lab.use('analyticsLogs')).clear(),
    fault: diskFull('analyticsLogs'),
    keeps: async (lab) => {
      const disk = await lab.use('analyticsLogs');
      return [disk.lost('export-debug.log'), disk.lost('app.log')].filter((p): p is string => p !== null);
    },
  },
  {
    id: 'billing-disk-false-alarm',
    area: 'hosts',
    title: 'A log disk with plenty of room someone asked about',
    kind: 'false_alarm',
    uses: ['billing', 'billingLogs'],
    phrasings: [
      'Is the billing server running short of storage? just want to be sure before month end',
      'Can someone check the payment runs have enough storage for tonight?',
    ],
    expect: { status: 'no_fault_found' },
    arrange: async (lab) => (await lab.use('billingLogs')).write('app.log', serviceLogLines('billing', 1 * MIB)),
    reset: async (lab) => (await lab.use('billingLogs')).clear(),
  },
  {
    id: 'ssh-password-guessing',
    area: 'hosts',
    title: 'Password guessing over SSH from unknown addresses (the auth log)',
    kind: 'escalate',
    uses: ['authLog'],
    knownGap:
      'worded without its keywords this is classified as an access ticket, and the failed-logins runbook looks only when its keywords are there (otherwise every password reset or account request would be diagnosed as an attack); needs the intent of a ticket (request or incident)',
    phrasings: [
      "Someone keeps trying passwords on our servers over and over from addresses we don't recognise",
      'Hundreds of sign-in tries for root and admin overnight, not from us',
      'Our server is being hammered with password guesses for made-up user names',
    ],
    expect: { status: 'escalated', findings: [{ id: 'auth.brute_force', state: ['confirmed', 'remains'] }] },
    arrange: async (lab) => (await lab.use('authLog')).arm(),
    reset: async (lab) => (await lab.use('authLog')).calm(),
    fault: async () => 'someone is still guessing passwords (nothing here stops them)',
  },
  {
    id: 'port-not-answering',
    area: 'hosts',
    title: 'A host:port nothing listens on',
    kind: 'escalate',
    uses: ['closedPort'],
    phrasings: ['127.0.0.1:{port} is not answering', 'Nothing comes back from 127.0.0.1:{port} when our tool tries it'],
    expect: { status: 'escalated', findings: [{ id: 'network.port_closed', state: ['confirmed', 'remains'] }] },
    standing: true,
    words: async (lab) => ({ port: String((await lab.use('closedPort')).port) }),
    arrange: nothing,
    reset: nothing,
    fault: async (lab) => ((await (await lab.use('closedPort')).open()) ? null : 'nothing listens on the port'),
  },
  {
    id: 'second-monitor',
    area: 'hosts',
    title: 'A request for hardware, not a fault',
    kind: 'not_technical',
    uses: [],
    phrasings: [
      'Could I get a second monitor for my desk?',
      "I'd like another screen for my desk please, the laptop one is too small",
    ],
    expect: { status: 'escalated' },
    arrange: nothing,
    reset: nothing,
  },
];

/** A phrasing with its `{words}` filled in. */
export async function phrasingText(lab: Lab, incident: Incident, phrasing: string): Promise<string> {
  const words = incident.words ? await incident.words(lab) : {};
  return phrasing.replace(/\{(\w+)\}/g, (_, k: string) => words[k] ?? `{${k}}`);
}

/** Every fixture the given incidents need. */
export const fixturesOf = (incidents: Incident[]) => new Set(incidents.flatMap((i) => i.uses));
