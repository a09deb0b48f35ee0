import { describe, expect, it } from 'vitest';
import { escalationKind, ticketOutcome } from './ticket-outcomes.ts';

describe('ticket outcomes for metrics', () => {
  it('calls a resolution autonomous only when it comes out of verification', () => {
    expect(ticketOutcome('verifying', 'resolved')).toBe('resolved_autonomously');
    expect(ticketOutcome('escalated', 'resolved')).toBe('resolved_by_human');
    expect(ticketOutcome('planned', 'resolved')).toBe('resolved_by_human');
    expect(ticketOutcome('executing', 'escalated')).toBe('escalated');
    expect(ticketOutcome('new', 'failed')).toBe('failed');
    expect(ticketOutcome('new', 'triaged')).toBeUndefined();
  });

  it('sorts the orchestrator escalation reasons into a fixed set of label values', () => {
    expect(escalationKind('verification failed: Check that the service answers: healthy eq true')).toBe(
      'verification_failed',
    );
    expect(escalationKind('fix step 3 (commander.execute_command) failed: COMMAND_TIMEOUT took too long')).toBe(
      'fix_failed',
    );
    expect(escalationKind('step 2 (commander.execute_command) needs approval: destructive')).toBe('approval_required');
    expect(escalationKind('step 2 (commander.execute_command) is refused: no backup')).toBe('policy_refused');
    expect(escalationKind('no runbook fits a high-priority network ticket')).toBe('no_runbook');
    expect(escalationKind('interrupted while executing; a human should check what ran')).toBe('interrupted');
    expect(escalationKind('the customer wants a call')).toBe('other');
    expect(escalationKind(undefined)).toBe('other');
  });
});
