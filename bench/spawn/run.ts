// bench/spawn: `uptime` spawned at concurrency 10 by this process directly and through the spawn helper, first at
// this process's own size, then with --ballast MiB of resident memory (the platform's RSS under load): fork copies
// the caller's page tables and blocks its event loop meanwhile, so a big parent pays for every command.
//   node --import tsx bench/spawn/run.ts [--count 300] [--concurrency 10] [--ballast 450]
import { randomFillSync } from 'node:crypto';
import { createLocalExecutor } from '../../src/adapters/devices/local-executor.ts';
import { fmt } from '../lib/stats.ts';
import { benchArgs } from '../lib/args.ts';

const { values } = benchArgs({
  options: {
    count: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '10' },
    ballast: { type: 'string', default: '450' },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const options = { timeoutMs: 10_000, outputCap: 64 * 1024 };
const direct = createLocalExecutor(undefined, { direct: true });
const helped = createLocalExecutor();

/** Spawns per second, and the longest the event loop was held between two ticks of a 1 ms timer. */
async function measure(executor: typeof direct): Promise<{ perSecond: number; maxLagMs: number }> {
  let maxLagMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - 1);
    last = now;
  }, 1);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await executor.exec(['uptime'], options);
    }),
  );
  clearInterval(ticker);
  return { perSecond: count / ((performance.now() - started) / 1000), maxLagMs };
}

const ballast: Buffer[] = [];
console.log(`bench/spawn: ${count} × uptime at concurrency ${concurrency}, direct vs spawn helper, interleaved`);
for (const extraMiB of [0, Number(values.ballast)]) {
  while (ballast.length < extraMiB) ballast.push(randomFillSync(Buffer.allocUnsafeSlow(1024 * 1024)));
  await helped.exec(['true'], options);
  for (let round = 0; round < 2; round += 1) {
    const a = await measure(direct);
    const b = await measure(helped);
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(
      `RSS ${fmt(rss, 0).padStart(4)} MiB  direct ${fmt(a.perSecond, 1).padStart(6)}/s (loop held up to ${fmt(a.maxLagMs, 0)} ms)  ` +
        `helper ${fmt(b.perSecond, 1).padStart(6)}/s (loop held up to ${fmt(b.maxLagMs, 0)} ms)  helper/direct ${fmt(b.perSecond / a.perSecond, 2)}x`,
    );
  }
}
helped.close();
