// Loads the public evaluation data (never copied into the repository) and maps its labels onto ours.
// The tag → category mapping is explicit, so the gold labels can be reviewed and argued with.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Category, Priority, Sentiment } from '../../src/core/ticket.ts';
import { parseCsv } from '../lib/csv.ts';

export interface LabelledTicket { text: string; category: Category | undefined; priority: Priority; tags: string[] }
export interface LabelledTweet { text: string; sentiment: Sentiment; confidence: number }

/**
 * Tags of both ticket files mapped to our categories. A ticket's gold category is that of its first tag (in tag
 * order) naming a technical category; failing that `other` when a tag names a non-technical topic (billing,
 * sales, documentation…); failing that the ticket has no gold category (only generic tags such as "IT",
 * "Tech Support", "Technical", "Resolution") and is left out of category scoring but kept for priority.
 */
export const TAG_CATEGORIES: Readonly<Record<string, Category>> = {
  // 4-20k vocabulary
  Security: 'security', Breach: 'security', Virus: 'security', Encryption: 'security',
  Database: 'database',
  Network: 'network', VPN: 'network',
  Hardware: 'hardware', Driver: 'hardware',
  Login: 'access', Account: 'access', Access: 'access', AccessControl: 'access', AccessControls: 'access',
  Backup: 'storage',
  Performance: 'performance',
  Bug: 'application', Crash: 'application', Outage: 'application', Software: 'application', Disruption: 'application',
  API: 'application', Error: 'application', Website: 'application', Dashboard: 'application', Plugin: 'application',
  Sync: 'application', Synchronization: 'application',
  // 3-4k vocabulary
  'Security Improvement': 'security',
  'Database Issue': 'database', 'Database Configuration': 'database', 'Database Support': 'database',
  'Network Issue': 'network', 'Router Issue': 'network', 'Connectivity Issue': 'network', 'Wireless Connectivity': 'network',
  'Hardware Failure': 'hardware', 'Printer Issue': 'hardware', 'Firmware Update': 'hardware',
  'Login Issue': 'access', 'Account Assistance': 'access',
  'Backup Restore': 'storage',
  'Performance Tuning': 'performance',
  'Software Bug': 'application', 'System Crash': 'application', 'Service Outage': 'application', 'Service Disruption': 'application',
};

/** Non-technical topics: a ticket tagged only with these (and generic tags) is `other` for us. */
export const OTHER_TAGS: ReadonlySet<string> = new Set([
  'Billing', 'Payment', 'Refund', 'Invoice', 'Sales', 'Pricing', 'Subscription', 'Discount', 'Marketing', 'Campaign',
  'Brand', 'Lead', 'Strategy', 'Investment', 'Growth', 'HR', 'Employee', 'Onboarding', 'Medical', 'Documentation',
  'Feedback', 'Feature', 'Training',
  'Billing Issue', 'Payment Processing', 'Refund Request', 'Order Issue', 'Returns and Exchanges', 'Sales Inquiry',
  'Shipment Delay', 'Invoice Request', 'Feature Request', 'Documentation Request', 'Shipping Inquiry', 'Shipping Options',
  'Cost Management', 'Human Resources', 'Warranty Claim', 'Training Request', 'Return Policy',
]);

export function goldCategory(tags: readonly string[]): Category | undefined {
  for (const tag of tags) if (TAG_CATEGORIES[tag]) return TAG_CATEGORIES[tag];
  return tags.some((tag) => OTHER_TAGS.has(tag)) ? 'other' : undefined;
}

function read(path: string): Array<Record<string, string>> {
  if (!existsSync(path)) {
    throw new Error(`evaluation data not found: ${path} (pass --data <dir> holding support-tickets/ and airline-tweets/)`);
  }
  return parseCsv(readFileSync(path, 'utf8'));
}

const TICKET_FILES = ['support-tickets/dataset-tickets-multi-lang-4-20k.csv', 'support-tickets/dataset-tickets-multi-lang3-4k.csv'];

/** English tickets of both files; subject and body together, as a submitter would write them. */
export function loadTickets(dataDir: string): LabelledTicket[] {
  return TICKET_FILES.flatMap((file) => read(join(dataDir, file)))
    .filter((row) => row.language === 'en' && ['high', 'medium', 'low'].includes(row.priority ?? ''))
    .map((row) => {
      const tags = Object.keys(row).filter((key) => key.startsWith('tag_')).map((key) => row[key]!.trim()).filter(Boolean);
      const text = [row.subject, row.body].filter(Boolean).join('\n');
      return { text, category: goldCategory(tags), priority: row.priority as Priority, tags };
    });
}

export function loadTweets(dataDir: string): LabelledTweet[] {
  return read(join(dataDir, 'airline-tweets/Tweets.csv')).map((row) => ({
    text: row.text ?? '',
    sentiment: row.airline_sentiment as Sentiment,
    confidence: Number(row.airline_sentiment_confidence),
  }));
}
