// Every agent the runtime registers, in registration order, as plain data (ids, descriptions, capabilities with
// their schemas): what MCP lists before the runtime has started. createCore checks that it registered exactly these.
import type { Capability } from '../core/capability.ts';
import { describeCapability, type CapabilityDescriptor } from '../core/registry.ts';
import { backupAgent } from './backup/backup-agent.ts';
import { browserAgent } from './browser/browser-agent.ts';
import { classifierAgent } from './classifier/classifier-agent.ts';
import { commanderAgent } from './commander/commander-agent.ts';
import { databaseAgent } from './database/database-agent.ts';
import { filesAgent } from './files/files-agent.ts';
import { maestroAgent } from './maestro/maestro-agent.ts';
import { monitoringAgent } from './monitoring/monitoring-agent.ts';
import { resolverAgent } from './resolver/resolver-agent.ts';
import { securityAgent } from './security/security-agent.ts';
import { sentimentAgent } from './sentiment/sentiment-agent.ts';
import { syncAgent } from './sync/sync-agent.ts';

export interface AgentSpec {
  id: string;
  description: string;
  // Each capability is typed against its agent's deps; the catalogue only reads their data.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  capabilities: ReadonlyArray<Capability<any, any, any>>;
}

export const AGENT_CATALOGUE: readonly AgentSpec[] = [
  sentimentAgent,
  classifierAgent,
  commanderAgent,
  monitoringAgent,
  databaseAgent,
  backupAgent,
  syncAgent,
  filesAgent,
  securityAgent,
  resolverAgent,
  maestroAgent,
  browserAgent,
];

/** The capabilities of every agent, described as the registry describes them (timeouts aside: they come from the config). */
export function capabilityCatalogue(): CapabilityDescriptor[] {
  return AGENT_CATALOGUE.flatMap((agent) =>
    agent.capabilities.map((c) => describeCapability(agent.id, c as Capability, 0)),
  );
}

/** Throws unless `registered` (capability ids, in order) is the catalogue: what MCP listed early is what the runtime serves. */
export function assertCatalogueRegistered(registered: readonly string[]): void {
  const expected = AGENT_CATALOGUE.flatMap((agent) => agent.capabilities.map((c) => c.id));
  if (registered.join() !== expected.join()) {
    throw new Error(
      `the registered capabilities differ from the agent catalogue: registered ${registered.join(', ')}; catalogue ${expected.join(', ')}`,
    );
  }
}
