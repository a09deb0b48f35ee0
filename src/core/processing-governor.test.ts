import { describe, expect, it } from 'vitest';
import { createProcessingGovernor } from './processing-governor.ts';

function governed(max: number, targetMs = 5) {
  let tick = () => {};
  let stopped = false;
  const governor = createProcessingGovernor({
    max,
    targetMs,
    every: (_ms, fn) => {
      tick = fn;
      return { stop: () => (stopped = true) };
    },
  });
  let raised = 0;
  governor.onRaise(() => (raised += 1));
  const windowOf = (...samples: number[]) => {
    for (const ms of samples) governor.recordIntake(ms);
    tick();
    return governor.limit();
  };
  return { governor, windowOf, raised: () => raised, stopped: () => stopped };
}

describe('the processing governor', () => {
  it('halves the tickets processed at once while admissions are slow, never below one', () => {
    const { windowOf } = governed(8);
    expect(windowOf(1, 2, 30, 40, 50, 60, 70, 80, 90, 100)).toBe(4);
    expect(windowOf(20, 20, 20)).toBe(2);
    expect(windowOf(20)).toBe(1);
    expect(windowOf(20, 20)).toBe(1);
  });

  it('judges a window by its slower tenth, not by one late admission', () => {
    const { windowOf } = governed(8);
    expect(windowOf(...Array.from({ length: 19 }, () => 1), 500)).toBe(8);
  });

  it('gives one back after five fast windows while tickets keep coming, and all at once when intake is quiet', () => {
    const { windowOf, raised } = governed(8);
    windowOf(50);
    windowOf(50);
    expect(windowOf(50)).toBe(1);
    for (let i = 0; i < 4; i += 1) expect(windowOf(1, 2)).toBe(1);
    expect(windowOf(1, 2)).toBe(2);
    expect(raised()).toBe(1);
    // No admission at all: one more per window, up to the configured concurrency and no further.
    const limits = Array.from({ length: 8 }, () => windowOf());
    expect(limits).toEqual([3, 4, 5, 6, 7, 8, 8, 8]);
    expect(raised()).toBe(7);
  });

  it('keeps the configured concurrency when turned off, and stops its timer', () => {
    const off = governed(8, 0);
    expect(off.windowOf(500, 500)).toBe(8);
    const on = governed(8);
    on.governor.stop();
    expect(on.stopped()).toBe(true);
  });
});
