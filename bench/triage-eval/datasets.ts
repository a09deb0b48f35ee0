// Loads the public evaluation data (never copied into the repository) and maps its labels onto ours.
// The tag → category mapping is explicit, so the gold labels can be reviewed and argued with.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Category, Intent, Priority, Sentiment } from '../../src/core/ticket.ts';
import { parseCsv } from '../lib/csv.ts';

/** `tune`: the half rules may be tuned on; `holdout`: the half only reported. Fixed by a hash of the text. */
export type Split = 'tune' | 'holdout';
export interface LabelledTicket {
  text: string;
  category: Category | undefined;
  priority: Priority;
  tags: string[];
  intent: Intent;
  split: Split;
  /** The data's own type (Incident, Problem, Request, Change) and queue, kept for the report. */
  type: string;
  queue: string;
}
export interface LabelledTweet {
  text: string;
  sentiment: Sentiment;
  confidence: number;
}

/**
 * Tags of both ticket files mapped to our categories. A ticket's gold category is that of its first tag (in tag
 * order) naming a technical category; failing that `other` when a tag names a non-technical topic (billing,
 * sales, documentation…); failing that the ticket has no gold category (only generic tags such as "IT",
 * "Tech Support", "Technical", "Resolution") and is left out of category scoring but kept for priority.
 */
export const TAG_CATEGORIES: Readonly<Record<string, Category>> = {
  // 4-20k vocabulary
  Security: 'security',
  Breach: 'security',
  Virus: 'security',
  Encryption: 'security',
  Database: 'database',
  Network: 'network',
  VPN: 'network',
  Hardware: 'hardware',
  Driver: 'hardware',
  Login: 'access',
  Account: 'access',
  Access: 'access',
  AccessControl: 'access',
  AccessControls: 'access',
  Backup: 'storage',
  Performance: 'performance',
  Bug: 'application',
  Crash: 'application',
  Outage: 'application',
  Software: 'application',
  Disruption: 'application',
  API: 'application',
  Error: 'application',
  Website: 'application',
  Dashboard: 'application',
  Plugin: 'application',
  Sync: 'application',
  Synchronization: 'application',
  // 3-4k vocabulary
  'Security Improvement': 'security',
  'Database Issue': 'database',
  'Database Configuration': 'database',
  'Database Support': 'database',
  'Network Issue': 'network',
  'Router Issue': 'network',
  'Connectivity Issue': 'network',
  'Wireless Connectivity': 'network',
  'Hardware Failure': 'hardware',
  'Printer Issue': 'hardware',
  'Firmware Update': 'hardware',
  'Login Issue': 'access',
  'Account Assistance': 'access',
  'Backup Restore': 'storage',
  'Performance Tuning': 'performance',
  'Software Bug': 'application',
  'System Crash': 'application',
  'Service Outage': 'application',
  'Service Disruption': 'application',
};

/** Non-technical topics: a ticket tagged only with these (and generic tags) is `other` for us. */
export const OTHER_TAGS: ReadonlySet<string> = new Set([
  'Billing',
  'Payment',
  'Refund',
  'Invoice',
  'Sales',
  'Pricing',
  'Subscription',
  'Discount',
  'Marketing',
  'Campaign',
  'Brand',
  'Lead',
  'Strategy',
  'Investment',
  'Growth',
  'HR',
  'Employee',
  'Onboarding',
  'Medical',
  'Documentation',
  'Feedback',
  'Feature',
  'Training',
  'Billing Issue',
  'Payment Processing',
  'Refund Request',
  'Order Issue',
  'Returns and Exchanges',
  'Sales Inquiry',
  'Shipment Delay',
  'Invoice Request',
  'Feature Request',
  'Documentation Request',
  'Shipping Inquiry',
  'Shipping Options',
  'Cost Management',
  'Human Resources',
  'Warranty Claim',
  'Training Request',
  'Return Policy',
]);

export function goldCategory(tags: readonly string[]): Category | undefined {
  for (const tag of tags) if (TAG_CATEGORIES[tag]) return TAG_CATEGORIES[tag];
  return tags.some((tag) => OTHER_TAGS.has(tag)) ? 'other' : undefined;
}

/**
 * The gold intent, from the tags first (a topic tag says what is wanted whatever the type), then the type. Tags are
 * checked in this order: money, orders, access (when the type is a request), feature asks (a request or change),
 * sales and marketing, information asks (a request); otherwise Incident/Problem → incident, Request/Change →
 * service_request. The data has no complaint label: complaints are scored only through what they also ask for.
 */
export const INTENT_TAGS: ReadonlyArray<{ intent: Intent; tags: ReadonlySet<string>; types?: ReadonlySet<string> }> = [
  {
    intent: 'billing',
    tags: new Set([
      'Billing',
      'Payment',
      'Refund',
      'Invoice',
      'Subscription',
      'Pricing',
      'Discount',
      'Billing Issue',
      'Payment Processing',
      'Refund Request',
      'Invoice Request',
      'Cost Management',
    ]),
  },
  {
    intent: 'order',
    tags: new Set([
      'Order Issue',
      'Returns and Exchanges',
      'Warranty Claim',
      'Shipment Delay',
      'Shipping Inquiry',
      'Shipping Options',
      'Product Replacement',
      'Return Policy',
      'Exchange Request',
    ]),
  },
  {
    intent: 'access_request',
    tags: new Set([
      'Login',
      'Account',
      'Access',
      'AccessControl',
      'AccessControls',
      'Login Issue',
      'Account Assistance',
    ]),
    types: new Set(['Request', 'Change']),
  },
  {
    intent: 'feature_request',
    tags: new Set(['Feature', 'Feature Request', 'Enhancement']),
    types: new Set(['Request', 'Change']),
  },
  {
    intent: 'sales',
    tags: new Set([
      'Sales',
      'Marketing',
      'Campaign',
      'Brand',
      'Lead',
      'Strategy',
      'Investment',
      'Growth',
      'Sales Inquiry',
      'DigitalMarketing',
      'SEO',
    ]),
  },
  {
    intent: 'question',
    tags: new Set([
      'Documentation',
      'Guidance',
      'Training',
      'Documentation Request',
      'Training Request',
      'General Inquiry',
      'Technical Guidance',
      'Information Request',
      'Consultation Request',
      'Inquiry',
    ]),
    types: new Set(['Request']),
  },
];

export function goldIntent(tags: readonly string[], type: string): Intent {
  for (const rule of INTENT_TAGS) {
    if ((!rule.types || rule.types.has(type)) && tags.some((tag) => rule.tags.has(tag))) return rule.intent;
  }
  return type === 'Incident' || type === 'Problem' ? 'incident' : 'service_request';
}

/** Half of the tickets by the first byte of the text's sha256: the same split on every run and every machine. */
export function splitOf(text: string): Split {
  return createHash('sha256').update(text).digest()[0]! % 2 === 0 ? 'tune' : 'holdout';
}

function read(path: string): Array<Record<string, string>> {
  if (!existsSync(path)) {
    throw new Error(
      `evaluation data not found: ${path} (pass --data <dir> holding support-tickets/ and airline-tweets/)`,
    );
  }
  return parseCsv(readFileSync(path, 'utf8'));
}

const TICKET_FILES = [
  'support-tickets/dataset-tickets-multi-lang-4-20k.csv',
  'support-tickets/dataset-tickets-multi-lang3-4k.csv',
];

/** English tickets of both files; subject and body together, as a submitter would write them. */
export function loadTickets(dataDir: string): LabelledTicket[] {
  return TICKET_FILES.flatMap((file) => read(join(dataDir, file)))
    .filter((row) => row.language === 'en' && ['high', 'medium', 'low'].includes(row.priority ?? ''))
    .map((row) => {
      const tags = Object.keys(row)
        .filter((key) => key.startsWith('tag_'))
        .map((key) => row[key]!.trim())
        .filter(Boolean);
      const text = [row.subject, row.body].filter(Boolean).join('\n');
      const type = row.type ?? '';
      return {
        text,
        category: goldCategory(tags),
        priority: row.priority as Priority,
        tags,
        intent: goldIntent(tags, type),
        split: splitOf(text),
        type,
        queue: row.queue ?? '',
      };
    });
}

export function loadTweets(dataDir: string): LabelledTweet[] {
  return read(join(dataDir, 'airline-tweets/Tweets.csv')).map((row) => ({
    text: row.text ?? '',
    sentiment: row.airline_sentiment as Sentiment,
    confidence: Number(row.airline_sentiment_confidence),
  }));
}
