import { describe, expect, it } from 'vitest';
import { REDACTED } from '../redaction.ts';
import type { StepRecord, TicketChange } from '../ticket-repository.ts';
import { redactAuditEntries, redactNewTicket, redactTicketChange } from './stored-records.ts';

const secret = 'Sup3r-S3cret-42';
const step: StepRecord = {
  executionId: 'e1',
  ticketId: 't1',
  index: 0,
  phase: 'fix',
  agent: 'commander',
  capability: 'commander.execute_command',
  params: { command: `mysql -u root -p${secret} orders` },
  risk: 'change',
  status: 'failed',
  output: { stdout: `DB_PASSWORD=${secret}`, argv: ['sshpass', '-p', secret, 'ssh', 'db01'] },
  error: { code: 'COMMAND_FAILED', message: `login failed for password=${secret}`, retryable: false },
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  durationMs: 1000,
};

describe('redactTicketChange', () => {
  it('hides secrets in step records, notes, reasons, summaries and audit details, and leaves the plan as made', () => {
    const plan = { runbookId: 'db', title: 'db', steps: [], parameters: { password: secret } };
    const change = {
      patch: {
        escalationReason: `still failing with token ghp_${'aB3'.repeat(12)}`,
        resolutionNote: `used password=${secret}`,
      },
      steps: [step],
      claimStep: { ...step, index: 1 },
      newExecution: { id: 'e1', plan, dryRun: false },
      finishExecution: { id: 'e1', success: false, successRate: 0, summary: `failed: password=${secret}` },
      audit: [
        {
          ticketId: 't1',
          actor: 'orchestrator',
          action: 'step.finished',
          details: { argv: ['pg_dump', '--password', secret] },
        },
      ],
    } as unknown as TicketChange;
    const out = redactTicketChange(change);
    const { newExecution, ...rest } = out;
    expect(JSON.stringify(rest)).not.toContain(secret);
    expect(JSON.stringify(rest)).not.toContain('ghp_');
    expect(out.audit[0]!.details).toEqual({ argv: ['pg_dump', '--password', REDACTED] });
    expect(out.steps![0]!.error).toMatchObject({ code: 'COMMAND_FAILED', retryable: false });
    expect(newExecution!.plan).toBe(plan);
    expect(change.steps![0]!.params.command).toContain(secret);
  });

  it('leaves a change without secrets equal to what was given', () => {
    const change: TicketChange = {
      patch: { resolutionNote: 'Restarted web, verified: HTTP 200' },
      audit: [{ ticketId: 't1', actor: 'a', action: 'x', details: { n: 1 } }],
    };
    expect(redactTicketChange(change)).toEqual(change);
  });
});

describe('redactNewTicket and redactAuditEntries', () => {
  it('hide credentials in the description, the context URL and audit details', () => {
    const ticket = redactNewTicket({
      description: `password=${secret}`,
      requester: 'r',
      source: 'api',
      dryRun: false,
      context: { url: `https://ops:${secret}@intranet.example.org/` },
    });
    expect(ticket).toMatchObject({
      description: `password=${REDACTED}`,
      context: { url: 'https://***@intranet.example.org/' },
    });
    expect(
      redactAuditEntries([
        { ticketId: null, actor: 'a', action: 'capability.invoked', details: { input: { api_key: secret } } },
      ]),
    ).toEqual([
      { ticketId: null, actor: 'a', action: 'capability.invoked', details: { input: { api_key: REDACTED } } },
    ]);
  });
});
