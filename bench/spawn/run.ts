// bench/spawn: `uptime` spawned at concurrency 10 by this process directly, through the Node spawn helper and through
// the native one (posix_spawn), first at this process's own size, then with --ballast MiB of resident memory (the
// platform's RSS under load): fork copies the caller's page tables and blocks its event loop meanwhile, so a big
// parent pays for every command; a helper pays instead, and posix_spawn copies nothing at all.
//   node --import tsx bench/spawn/run.ts [--count 300] [--concurrency 10] [--ballast 450]
import { randomFillSync } from 'node:crypto';
import { createLocalExecutor } from '../../src/adapters/devices/local-executor.ts';
import { nativeHelperBuilt } from '../../src/adapters/devices/spawn-helper.ts';
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
const helped = createLocalExecutor(undefined, { ownHelper: true, helper: 'node' });
if (!nativeHelperBuilt()) {
  console.error('bench/spawn: the native spawn helper is not built (npm run build:native, which needs cc)');
  process.exit(1);
}
const native = createLocalExecutor(undefined, { ownHelper: true, helper: 'native' });

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
console.log(
  `bench/spawn: ${count} × uptime at concurrency ${concurrency}, direct vs Node spawn helper vs native spawn helper, interleaved`,
);
for (const extraMiB of [0, Number(values.ballast)]) {
  while (ballast.length < extraMiB) ballast.push(randomFillSync(Buffer.allocUnsafeSlow(1024 * 1024)));
  await helped.exec(['true'], options);
  await native.exec(['true'], options);
  for (let round = 0; round < 2; round += 1) {
    const a = await measure(direct);
    const b = await measure(helped);
    const c = await measure(native);
    const rss = process.memoryUsage().rss / 2 ** 20;
    const row = (name: string, m: { perSecond: number; maxLagMs: number }) =>
      `${name} ${fmt(m.perSecond, 1).padStart(6)}/s (loop held up to ${fmt(m.maxLagMs, 0)} ms)`;
    console.log(
      `RSS ${fmt(rss, 0).padStart(4)} MiB  ${row('direct', a)}  ${row('node helper', b)}  ${row('native helper', c)}  ` +
        `node/direct ${fmt(b.perSecond / a.perSecond, 2)}x  native/direct ${fmt(c.perSecond / a.perSecond, 2)}x`,
    );
  }
}
helped.close();
native.close();
