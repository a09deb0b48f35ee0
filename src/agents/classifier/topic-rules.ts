// Weighted terms for tickets that are not about an IT fault at all: money, orders, sales and marketing, and asks
// for information about a product. They score the `other` category against the technical ones, so an invoice
// question mentioning "the payment page" is not an application ticket.
import type { TermRule } from './term-matcher.ts';

const terms: ReadonlyArray<readonly [string, number]> = [
  [
    '{invoice|invoices|invoiced|billing|billed|refund|refunds|refunded|reimbursement|chargeback|overcharged|double charged|charged twice|receipt|credit note|payment method|payment methods|payment option|payment options|payment plan|payment terms|bank transfer|credit card|pay by}',
    3.5,
  ],
  [
    '{subscription|subscriptions|renewal|pricing|price|prices|discount|coupon|fee|fees|quote|quotation|cost|costs|budget|was charged|charges on}',
    2,
  ],
  [
    '{order number|my order|shipping|shipment|delivery|tracking number|parcel|return|returns|exchange|warranty|refund request|replacement unit|defective|wrong item}',
    3,
  ],
  ['{human resources|payroll|recruitment|hiring|training session|training sessions|workshop}', 1.5],
  [
    '{information on|information about|more information|more details|details on|details about|learn more|would appreciate any|any guidance|guidance on|best practices|recommendations}',
    1.5,
  ],
  ['{feedback|suggestion|feature request|new feature|roadmap}', 1.5],
];

export const TOPIC_RULES: ReadonlyArray<TermRule<'other'>> = terms.map(([term, weight]) => ({
  label: 'other',
  term,
  weight,
}));

// The requester's line of business (marketing, investments, strategy): what their work is about, not what they
// ask. They point to `other` when nothing is broken, and count little beside a described fault ("our campaign
// tool crashed after the update" is a software fault at a marketing firm).
const business: ReadonlyArray<readonly [string, number]> = [
  [
    '{marketing|campaign|campaigns|brand|branding|brand growth|brand awareness|advertising|seo|social media|lead generation|leads|sales|partnership|investment|investments|investing|investor|portfolio|business growth|market|strategy|strategies|digital strategy}',
    2.5,
  ],
];

export const BUSINESS_RULES: ReadonlyArray<TermRule<'other'>> = business.map(([term, weight]) => ({
  label: 'other',
  term,
  weight,
}));
