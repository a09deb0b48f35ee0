// The classifier agent: puts a ticket in a category and gives it a priority from weighted keyword and
// phrase rules (no model), and names the terms that decided it.
import { z } from 'zod';
import { defineAgent, defineCapability, type Agent } from '../../core/capability.ts';
import { CLASSIFY_TICKET, fulfils } from '../../core/capability-contracts.ts';
import { CATEGORIES, INTENTS, PRIORITIES } from '../../core/ticket.ts';
import { classifyText } from './classify-ticket.ts';

export type ClassifierDeps = Record<string, never>;

const inputSchema = z.strictObject({
  description: z.string().min(1).max(20_000),
});

const outputSchema = z.strictObject({
  category: z.enum(CATEGORIES),
  priority: z.enum(PRIORITIES),
  confidence: z.number().min(0).max(1),
  evidence: z.array(
    z.strictObject({
      category: z.enum([...CATEGORIES, 'priority']),
      term: z.string(),
      weight: z.number(),
    }),
  ),
  scores: z.record(z.enum(CATEGORIES), z.number()),
  intent: z.enum(INTENTS),
  intentConfidence: z.number().min(0).max(1),
  intentEvidence: z.array(z.strictObject({ intent: z.enum(INTENTS), term: z.string(), weight: z.number() })),
});

export const classifyTicket = fulfils(
  CLASSIFY_TICKET,
  defineCapability<typeof inputSchema, typeof outputSchema, ClassifierDeps>({
    id: CLASSIFY_TICKET.id,
    description:
      'Classify a ticket description into a category (database, network, security, ...), an intent (incident, request, question, billing, ...) and a priority, with the terms that decided them',
    risk: 'read',
    input: inputSchema,
    output: outputSchema,
    timeoutMs: 2_000,
    run: async ({ description }) => classifyText(description),
  }),
);

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. */
export const classifierAgent = {
  id: 'classifier',
  description: 'Ticket category and priority from weighted keyword and phrase rules',
  capabilities: [classifyTicket],
};

export function createClassifierAgent(deps: ClassifierDeps = {}): Agent<ClassifierDeps> {
  return defineAgent({ ...classifierAgent, deps });
}
