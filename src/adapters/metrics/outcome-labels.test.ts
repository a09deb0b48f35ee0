import { describe, expect, it } from 'vitest';
import { escalationKind, ticketOutcome } from './ticket-outcomes.ts';

describe('outcome labels under evidence before action', () => {
  it('counts as autonomous only a fix TwisterLab verified alone', () => {
    expect(ticketOutcome('verifying', 'resolved', 'verified_fix')).toBe('resolved_autonomously');
    expect(ticketOutcome('verifying', 'resolved', 'assisted_fix')).toBe('assisted_fix');
    expect(ticketOutcome('no_fault_found', 'resolved', 'confirmed_no_fault')).toBe('confirmed_no_fault');
    expect(ticketOutcome('escalated', 'resolved', 'closed_by_human')).toBe('resolved_by_human');
  });

  it('tells no fault found, reopened and escalated apart', () => {
    expect(ticketOutcome('diagnosing', 'no_fault_found', 'no_fault_found')).toBe('no_fault_found');
    expect(ticketOutcome('no_fault_found', 'escalated', 'reopened')).toBe('reopened');
    expect(ticketOutcome('resolved', 'escalated', 'reopened')).toBe('reopened');
    expect(ticketOutcome('verifying', 'escalated', 'partial_fix')).toBe('escalated');
    expect(ticketOutcome('triaged', 'diagnosing')).toBeUndefined();
  });

  it('names the escalations of the new loop', () => {
    expect(
      escalationKind('partly fixed: the file system is nearly full (billing): remains; verification failed: …'),
    ).toBe('partial_fix');
    expect(escalationKind('Found, with no safe automatic fix: Redis is at its memory limit …')).toBe(
      'finding_without_fix',
    );
    expect(
      escalationKind(
        'the ticket does not say which system it means: "orders" could be the service orders-eu or orders-us',
      ),
    ).toBe('ambiguous_target');
    expect(escalationKind('Reopened by ann: still broken.')).toBe('reopened');
    expect(escalationKind('No fault was found and ann did not confirm or reopen within 72 h')).toBe('no_answer');
  });
});
