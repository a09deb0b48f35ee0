// Small, valid values of the store port's types for the store tests.
import type { NewTicket, StepRecord } from '../../src/core/ticket-repository.ts';
import type { Analysis, Plan } from '../../src/core/ticket.ts';

export function newTicket(overrides: Partial<NewTicket> = {}): NewTicket {
  return {
    description: 'The database server db-01 is down and nobody can log in',
    requester: 'alice',
    source: 'api',
    dryRun: false,
    context: { deviceId: 'db-01' },
    ...overrides,
  };
}

export function analysis(overrides: Partial<Analysis> = {}): Analysis {
  return {
    category: 'database',
    priority: 'high',
    sentiment: 'negative',
    urgency: 'high',
    confidence: 0.8,
    summary: 'database outage on db-01',
    evidence: { sentiment: ['down'], category: ['database'], priority: ['urgent'] },
    context: { deviceId: 'db-01', found: [{ kind: 'device', value: 'db-01', source: 'given' }] },
    suggestedAgents: ['monitoring'],
    path: 'rules',
    ...overrides,
  };
}

export const plan: Plan = {
  runbookId: 'service-restart',
  title: 'Restart the database service',
  steps: [
    {
      index: 0,
      phase: 'diagnose',
      capability: 'monitoring.check_service_health',
      agent: 'monitoring',
      params: { service_name: 'postgres' },
      risk: 'read',
      description: 'Check the service',
      decision: 'run',
      decisionReason: 'read-only',
    },
  ],
};

export function step(
  executionId: string,
  ticketId: string,
  index: number,
  overrides: Partial<StepRecord> = {},
): StepRecord {
  return {
    executionId,
    ticketId,
    index,
    phase: 'diagnose',
    agent: 'monitoring',
    capability: 'monitoring.check_service_health',
    params: { service_name: 'postgres' },
    risk: 'read',
    status: 'succeeded',
    output: { healthy: true },
    error: null,
    startedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: '2026-01-01T10:00:00.250Z',
    durationMs: 250,
    attempts: 1,
    ...overrides,
  };
}
