// Team routing: which team (and, when a rule names one, which person) takes a ticket, from its category, intent,
// named service and words. Rules are read in order; the first whose every condition holds decides; the default
// takes the rest. Loaded from TWISTERLAB_ROUTING_FILE (YAML or JSON) or, without one, the built-in routing below.
import { z } from 'zod';
import { TwisterError } from '../errors.ts';
import { CATEGORIES, INTENTS, type Analysis } from '../ticket.ts';

const name = z.string().trim().min(1).max(100);
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(100);

const ruleSchema = z
  .strictObject({
    /** Shown in the ticket's routing evidence; defaults to the rule's position. */
    name: name.optional(),
    category: list(z.enum(CATEGORIES)).optional(),
    intent: list(z.enum(INTENTS)).optional(),
    /** Declared service names (as the analysis resolved them). */
    service: list(name).optional(),
    /** Words or phrases, any of which in the ticket's text (whole words, case-insensitive). */
    keywords: list(z.string().trim().min(2).max(100)).optional(),
    team: name,
    assignee: name.optional(),
  })
  .refine((r) => r.category || r.intent || r.service || r.keywords, {
    message: 'a rule needs at least one of category, intent, service, keywords',
  });

export const routingSchema = z.strictObject({
  rules: z.array(ruleSchema).max(500).default([]),
  default: z.strictObject({ team: name, assignee: name.optional() }),
});
export type Routing = z.infer<typeof routingSchema>;
export type RoutingRule = z.infer<typeof ruleSchema>;

/** Where a ticket goes, and why. */
export interface Route {
  team: string;
  assignee?: string;
  reason: string;
}

/** The routing used with no routing file: non-technical asks to their desks, faults to the team of their kind. */
export const DEFAULT_ROUTING: Routing = {
  rules: [
    { name: 'money', intent: ['billing'], team: 'billing' },
    { name: 'orders', intent: ['order'], team: 'customer service' },
    { name: 'complaints', intent: ['complaint'], team: 'customer service' },
    { name: 'sales', intent: ['sales'], team: 'sales' },
    { name: 'product ideas', intent: ['feature_request'], team: 'product' },
    { name: 'security', category: ['security'], team: 'security' },
    { name: 'access', intent: ['access_request'], team: 'service desk' },
    { name: 'databases', category: ['database'], team: 'database' },
    { name: 'network', category: ['network'], team: 'network' },
    { name: 'infrastructure', category: ['storage', 'performance'], team: 'infrastructure' },
    { name: 'applications', category: ['application'], team: 'applications' },
  ],
  default: { team: 'service desk' },
};

/** Checks a routing document; names the field that is wrong. */
export function parseRouting(doc: unknown, shown: string): Routing {
  const parsed = routingSchema.safeParse(doc);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new TwisterError('CONFIG_INVALID', `${shown}: ${issue.path.join('.') || 'document'}: ${issue.message}`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`);

function keywordHit(text: string, keywords: readonly string[]): string | undefined {
  return keywords.find((k) =>
    new RegExp(
      String.raw`(?<![\p{L}\p{N}])${escape(k.toLowerCase()).replace(/\s+/g, String.raw`\s+`)}(?![\p{L}\p{N}])`,
      'u',
    ).test(text),
  );
}

export function route(
  routing: Routing,
  analysis: Pick<Analysis, 'category' | 'intent' | 'context'>,
  text: string,
): Route {
  const lower = text.toLowerCase();
  const service = analysis.context.serviceName;
  for (const [i, rule] of routing.rules.entries()) {
    if (rule.category && !rule.category.includes(analysis.category)) continue;
    if (rule.intent && !(analysis.intent && rule.intent.includes(analysis.intent))) continue;
    if (rule.service && !(service && rule.service.includes(service))) continue;
    const word = rule.keywords ? keywordHit(lower, rule.keywords) : undefined;
    if (rule.keywords && !word) continue;
    const why = [
      rule.category ? `category ${analysis.category}` : '',
      rule.intent ? `intent ${analysis.intent}` : '',
      rule.service ? `service ${service}` : '',
      word ? `"${word}"` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return {
      team: rule.team,
      ...(rule.assignee ? { assignee: rule.assignee } : {}),
      reason: `rule ${rule.name ?? i + 1} (${why})`,
    };
  }
  return {
    team: routing.default.team,
    ...(routing.default.assignee ? { assignee: routing.default.assignee } : {}),
    reason: 'default',
  };
}
