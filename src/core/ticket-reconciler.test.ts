import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../test/helpers/recording-logger.ts';
import { TicketReconciler } from './ticket-reconciler.ts';

function fakeStore(ids: string[]) {
  const calls: Array<{ limit: number; idleMs: number }> = [];
  return {
    calls,
    listAwaitingWork: async (options: { limit: number; idleMs: number }) => {
      calls.push(options);
      await new Promise((r) => setTimeout(r, 20));
      return ids.slice(0, options.limit);
    },
  };
}

describe('the ticket reconciler', () => {
  it('queues each ticket awaiting work, counts those that had no job, and warns about them', async () => {
    const store = fakeStore(['a', 'b', 'c']);
    const logger = recordingLogger();
    const added: string[] = [];
    const reconciler = new TicketReconciler({
      store,
      logger,
      intervalMs: 60_000,
      add: async (id) => {
        added.push(id);
        return id === 'b' ? 'queued-already' : 'added';
      },
    });
    expect(await reconciler.run(0)).toEqual({ found: 3, queued: 2 });
    expect(added).toEqual(['a', 'b', 'c']);
    expect(store.calls).toEqual([{ limit: 1_000, idleMs: 0 }]);
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => r.fields)).toEqual([{ queued: 2, found: 3 }]);
  });

  it('joins a run already in progress instead of starting a second one', async () => {
    const store = fakeStore(['a']);
    const reconciler = new TicketReconciler({
      store,
      logger: recordingLogger(),
      intervalMs: 60_000,
      add: async () => 'queued-already',
    });
    const [one, two] = await Promise.all([reconciler.run(), reconciler.run()]);
    expect(one).toEqual(two);
    expect(store.calls).toHaveLength(1);
    expect(store.calls[0]!.idleMs).toBe(2_000);
  });

  it('runs on a jittered interval until stopped, and goes on after a run that failed', async () => {
    let runs = 0;
    const logger = recordingLogger();
    const reconciler = new TicketReconciler({
      store: {
        listAwaitingWork: async () => {
          runs += 1;
          if (runs === 1) throw new Error('store down');
          return [];
        },
      },
      logger,
      intervalMs: 20,
      add: async () => 'added',
    });
    reconciler.start();
    await new Promise((r) => setTimeout(r, 300));
    reconciler.stop();
    const after = runs;
    expect(after).toBeGreaterThanOrEqual(5);
    // Waits lie between 10 and 30 ms: never more runs than 300 / 10.
    expect(after).toBeLessThanOrEqual(30);
    expect(logger.messages('warn')).toContain('reconciler run failed; the next one tries again');
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toBe(after);
  });
});
