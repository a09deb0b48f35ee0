// Intake first: while new tickets are being admitted slowly, fewer tickets are processed at once. Processing and
// intake share the event loop, the store and the machine's cores; at full concurrency a stream of tickets being
// processed makes each new one wait to be stored. The governor watches how long admissions take (from admission to
// the ticket stored and queued) over short windows: when the slower tenth of a window's admissions took longer than
// the target, the tickets that may start processing are halved (never below one, so processing never stops); after
// a few fast windows in a row, or one with no admission at all, one more may start, up to the configured concurrency. Tickets already running are
// never interrupted: the limit only decides whether the next one starts.

export interface ProcessingGovernor {
  /** Tickets that may be processed at once now: from 1 to the configured concurrency. */
  limit(): number;
  /** How long one admission took, in ms. */
  recordIntake(ms: number): void;
  /** Called each time the limit rises, so the queue starts what it now may. */
  onRaise(listener: () => void): void;
  stop(): void;
}

export interface ProcessingGovernorOptions {
  /** The configured concurrency: the limit with no intake, and its ceiling. */
  max: number;
  /** The admission time to keep (the 90th percentile of a window); 0 turns the governor off. */
  targetMs: number;
  /** How often the limit is reconsidered; 100 ms by default. */
  windowMs?: number;
  /** Timers (tests drive the windows themselves). */
  every?: (ms: number, tick: () => void) => { stop(): void };
}

// Fast windows in a row before one more ticket may start while tickets keep coming in.
const GROW_AFTER = 5;

const realEvery = (ms: number, tick: () => void) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};

export function createProcessingGovernor(options: ProcessingGovernorOptions): ProcessingGovernor {
  let limit = options.max;
  const listeners: Array<() => void> = [];
  if (options.targetMs <= 0) {
    return { limit: () => limit, recordIntake: () => {}, onRaise: () => {}, stop: () => {} };
  }
  let window: number[] = [];
  let fastWindows = 0;
  const timer = (options.every ?? realEvery)(options.windowMs ?? 100, () => {
    const samples = window;
    window = [];
    samples.sort((a, b) => a - b);
    const slow = samples.length > 0 && samples[Math.floor(samples.length * 0.9)]! > options.targetMs;
    if (slow) {
      limit = Math.max(1, Math.floor(limit / 2));
      fastWindows = 0;
      return;
    }
    // Quiet intake gives processing back at once; fast intake, one ticket per GROW_AFTER fast windows.
    fastWindows += 1;
    if (limit < options.max && (samples.length === 0 || fastWindows >= GROW_AFTER)) {
      limit += 1;
      fastWindows = 0;
      for (const listener of listeners) listener();
    }
  });
  return {
    limit: () => limit,
    recordIntake(ms) {
      // Bounded: a window keeps at most this many (at 10,000 admissions a second, a window holds 1,000).
      if (window.length < 10_000) window.push(ms);
    },
    onRaise(listener) {
      listeners.push(listener);
    },
    stop: () => timer.stop(),
  };
}
