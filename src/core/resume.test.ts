import { describe, expect, it } from 'vitest';
import { interruptedRecord, planResume } from './resume.ts';
import { backoffMs } from './step-runner.ts';
import type { ExecutionProgress, RunningStep, StepRecord } from './ticket-repository.ts';

const running: RunningStep = {
  executionId: 'e1',
  ticketId: 't1',
  index: 2,
  phase: 'fix',
  agent: 'commander',
  capability: 'commander.execute_command',
  params: { device_id: 'local' },
  risk: 'change',
  startedAt: '2026-01-01T10:00:00.000Z',
  idempotencyKey: 'e1:2',
  attempts: 1,
};
const done = { executionId: 'e1', index: 0, status: 'succeeded' } as StepRecord;

function progress(overrides: Partial<ExecutionProgress> = {}): ExecutionProgress {
  return {
    execution: {
      id: 'e1',
      ticketId: 't1',
      createdAt: '',
      finishedAt: null,
      dryRun: false,
      plan: { runbookId: 'r', title: 'r', steps: [] },
      success: null,
      successRate: null,
      summary: null,
    },
    steps: [done],
    running: [],
    lease: { owner: null, until: null, live: false },
    ...overrides,
  };
}

describe('resuming an interrupted ticket', () => {
  it('leaves a ticket whose lease another process still holds to that process', () => {
    expect(
      planResume(progress({ lease: { owner: 'other', until: 'x', live: true } }), 'executing', 'me', () => true),
    ).toEqual({ kind: 'busy', holder: 'other' });
    expect(
      planResume(progress({ lease: { owner: 'me', until: 'x', live: true } }), 'executing', 'me', () => true).kind,
    ).toBe('continue');
  });

  it('replays finished steps, runs a repeatable running step again, and escalates one that is not', () => {
    const plain = planResume(progress(), 'executing', 'me', () => true);
    expect(plain).toEqual({ kind: 'continue', replay: new Map([[0, done]]) });
    expect(planResume(progress({ running: [running] }), 'executing', 'me', () => true)).toMatchObject({
      kind: 'continue',
      retake: running,
    });
    const stop = planResume(progress({ running: [running] }), 'verifying', 'me', () => false);
    expect(stop).toMatchObject({ kind: 'interrupted', step: running });
    expect(stop.kind === 'interrupted' && stop.reason).toMatch(
      /^interrupted while verifying, mid-step: step 2 \(commander\.execute_command\) may have had effects/,
    );
    expect(planResume(null, 'executing', 'me', () => true).kind).toBe('lost');
  });

  it('records the cut-off step as failed with STEP_INTERRUPTED and the time since it started', () => {
    const record = interruptedRecord(running, 'why', new Date('2026-01-01T10:00:01.500Z'));
    expect(record).toMatchObject({
      index: 2,
      status: 'failed',
      output: null,
      attempts: 1,
      durationMs: 1500,
      error: { code: 'STEP_INTERRUPTED', message: 'why', retryable: false },
    });
    expect(record).not.toHaveProperty('idempotencyKey');
  });
});

describe('retry backoff', () => {
  it('doubles per retry with up to half of it random, and stops growing at 30 s', () => {
    expect([1, 2, 3].map((n) => backoffMs(100, n, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((n) => backoffMs(100, n, () => 1))).toEqual([100, 200, 400]);
    expect(backoffMs(1_000, 20, () => 1)).toBe(30_000);
  });
});
