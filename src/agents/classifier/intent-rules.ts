// Weighted phrases per intent: what the requester wants, whatever the ticket is about. Topic words of money,
// orders and sales weigh more than the generic words of a fault, so "I was charged twice, the payment failed" is
// billing; a fault is the default for a technical ticket that asks for nothing else.
import type { Intent } from '../../core/ticket.ts';
import type { TermRule } from './term-matcher.ts';

const table: Record<Exclude<Intent, 'other'>, ReadonlyArray<readonly [string, number]>> = {
  incident: [
    [
      "{not working|doesn't work|does not work|isn't working|is not working|stopped working|no longer works|won't work|will not work|broken|broke|went down|is down|are down|keeps crashing|crashed|crashes|fails|failing|failed|failure|outage|disruption|malfunction*|unresponsive}",
      2,
    ],
    [
      "{can't|cannot|can not|unable to|couldn't|could not} {open|connect|access|load|save|print|start|use|reach|send|receive|see|sync|log in|login|sign in}",
      2,
    ],
    [
      '{error|errors|error message|error code|bug|glitch|issue with|problem with|problems with|issues with|trouble with}',
      1.2,
    ],
    [
      '{since this morning|since yesterday|since the update|after the update|after updating|after the upgrade|keeps happening|again and again|intermittent|intermittently}',
      1.5,
    ],
    [
      '{slow|slowness|lagging|freezes|freezing|hangs|timeout|timed out|times out|disconnects|disconnecting|dropping}',
      1.2,
    ],
    ['{urgent|asap|critical|immediately}', 0.8],
    // What was tried and did not help: the narrative of a fault, whatever the ticket is about.
    [
      "{persists|still persists|remains unresolved|still unresolved|still exists|problem continues|issue continues|to no avail|did not help|didn't help|has not resolved|hasn't resolved|did not resolve|didn't resolve|without success|no improvement}",
      1.5,
    ],
    [
      '{restarted|restarting|rebooted|rebooting|reinstalled|reinstalling|cleared the cache|clearing the cache|troubleshoot|troubleshooting|troubleshot}',
      1.2,
    ],
    [
      '{malfunction|malfunctions|malfunctioning|corrupted|corrupt|data loss|lost data|downtime|standstill|halted|unexpectedly|inaccurate|incorrect|inconsistent|inconsistencies|discrepancy|discrepancies|anomaly|anomalies}',
      1.2,
    ],
  ],
  service_request: [
    [
      '{please install|install|installation|set up|setup|configure|configuration change|provision|deploy|migrate|migration|upgrade to|update to}',
      1.5,
    ],
    [
      "{could i get|can i get|can we get|i need a new|we need a new|i would like|i'd like|we would like|we'd like|request for|requesting|please arrange|arrange for|order me|need a replacement}",
      1.8,
    ],
    [
      '{new laptop|new monitor|second monitor|new phone|new headset|another screen|new account for|new mailbox|shared mailbox|distribution list}',
      2,
    ],
    ['{change request|routine request|onboard|onboarding|offboard|offboarding|new hire|new starter|leaver}', 2],
    ['{move|relocate|schedule|scheduled maintenance|maintenance window}', 0.8],
  ],
  access_request: [
    [
      '{grant access|need access|request access|access request|give me access|give access|get access|access to the|access for|add me to|add him to|add her to|add them to|permission to|permissions for|access rights|rights to}',
      3,
    ],
    [
      '{password reset|reset my password|reset the password|reset password|forgot my password|forgot password|unlock my account|unlock the account|account unlock|new account|create an account|create a user|user account for}',
      3,
    ],
    ['{locked out|account locked|account is locked|account disabled}', 2],
  ],
  question: [
    [
      '{how do i|how do we|how can i|how can we|how should i|how to|is it possible|is there a way|what is the best way|what are the best|can you explain|could you explain|please explain|wondering|curious}',
      2.5,
    ],
    [
      '{information on|information about|information regarding|more information|more details|details on|details about|details regarding|provide information|provide details|share information|learn more|guidance on|guidance|advice on|advice|best practices|recommendations|recommend}',
      2,
    ],
    [
      '{inquiry|enquiry|inquiring|enquiring|question|questions|clarification|clarify|documentation|manual|tutorial|instructions|walkthrough|step-by-step}',
      1.5,
    ],
    [
      '{does it support|do you support|is it compatible|compatible with|integrate with|integration with|integrations}',
      1.2,
    ],
  ],
  billing: [
    ['{invoice|invoices|invoiced|invoicing|billing|billed|bill|receipt|receipts|statement of account}', 3],
    ['{refund|refunds|refunded|reimburse|reimbursement|chargeback|money back|credit note}', 3.5],
    // Not a bare "charge": a phone or a battery charges too.
    [
      '{charged me|charged us|was charged|were charged|been charged|overcharged|double charged|charged twice|duplicate charge|unexpected charge|extra charge|charges on|charge on my|deducted|debited}',
      2.5,
    ],
    ['{payment|payments|pay|paid|credit card|debit card|bank transfer|paypal|payment method|payment gateway}', 1.8],
    [
      '{subscription|subscriptions|renewal|plan upgrade|downgrade my plan|cancel my plan|cancel my subscription|pricing|price|prices|fee|fees|discount|coupon|promo code|tax|vat|cost|costs|quote|quotation|licence fee|license fee}',
      1.8,
    ],
  ],
  order: [
    ['{order number|my order|the order|an order|order status|order was|ordered|purchase|purchased|bought}', 2.5],
    [
      '{shipping|shipment|shipped|delivery|delivered|not delivered|courier|tracking number|package|parcel|dispatch|dispatched}',
      2.5,
    ],
    [
      '{return|returns|returning|exchange|replacement|replace it|warranty|warranty claim|defective|damaged|arrived broken|wrong item|missing item|rma}',
      2.5,
    ],
  ],
  feature_request: [
    [
      '{feature request|new feature|feature suggestion|enhancement request|suggestion|suggest|would be nice|would be great|would be helpful|it would help|wish list|roadmap|please add|could you add|can you add|add support for|add an option|add the ability|support for}',
      3,
    ],
    ['{enhance|enhancement|enhancements|improve|improvement|improvements|customization|customisation}', 1],
  ],
  sales: [
    [
      '{marketing|campaign|campaigns|brand|branding|brand awareness|advertising|seo|social media|lead generation|leads|sales|pre-sales|presales|partnership|reseller|investment|investing|investor|business growth|grow our business|market share|strategy|strategies}',
      2.2,
    ],
    [
      '{demo|trial|free trial|pricing plans|enterprise plan|buy|buying|interested in your|your services|your products|offer|offers|proposal}',
      1.5,
    ],
  ],
  complaint: [
    [
      '{complaint|complain|complaining|unacceptable|disappointed|disappointing|frustrated|frustrating|terrible|awful|horrible|poor service|bad service|rude|unprofessional|dissatisfied|unhappy with}',
      2.5,
    ],
    [
      '{still waiting|no response|no reply|nobody answered|no one answered|never heard back|ignored|third time|several times already|again and again}',
      1.5,
    ],
  ],
};

export const INTENT_RULES: ReadonlyArray<TermRule<Exclude<Intent, 'other'>>> = Object.entries(table).flatMap(
  ([label, terms]) => terms.map(([term, weight]) => ({ label: label as Exclude<Intent, 'other'>, term, weight })),
);
