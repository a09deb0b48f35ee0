// bench/scenarios: every phrasing of every incident of the acceptance suite, one ticket at a time, through a
// runtime on the real PostgreSQL, judged against the real systems afterwards. Prints the figures the platform
// is judged by and a table per incident.
//   npm run bench:scenarios [-- --only inventory-lock-chain,web-killed] [-- --first-only]
import { INCIDENTS } from '../../test/scenarios/incidents.ts';
import { describeResult, runPhrasing, startLabRun, type PhrasingResult } from '../../test/scenarios/scenario-runner.ts';
import { summarise, table } from './report.ts';
import { benchArgs } from '../lib/args.ts';

const { values } = benchArgs({
  options: { only: { type: 'string' }, 'first-only': { type: 'boolean', default: false } },
});
const only = values.only
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only?.filter((id) => !INCIDENTS.some((i) => i.id === id)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown incident(s): ${unknown.join(', ')}; known: ${INCIDENTS.map((i) => i.id).join(', ')}`);
  process.exit(2);
}
const incidents = only ? INCIDENTS.filter((i) => only.includes(i.id)) : INCIDENTS;

const started = performance.now();
const run = await startLabRun(incidents);
// Stopped by hand: the lab's clusters, servers and mounts go with it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void run.close().finally(() => process.exit(130)));
}
const results: PhrasingResult[] = [];
try {
  for (const incident of incidents) {
    const count = values['first-only'] ? 1 : incident.phrasings.length;
    for (let index = 0; index < count; index += 1) {
      const result = await runPhrasing(run.lab, run.app, incident, index);
      results.push(result);
      console.error(
        `${result.problems.length === 0 ? 'ok  ' : 'FAIL'} ${incident.id} #${index + 1}: ${result.status}${result.problems.length ? ` — ${result.problems.join('; ')}` : ''}`,
      );
    }
  }
} finally {
  await run.close();
}

console.log(
  `\nScenario bench: ${incidents.length} incidents, ${results.length} tickets, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
);
console.log(summarise(incidents, results));
console.log(`\n${table(incidents, results)}`);
const failed = results.filter((r) => r.problems.length > 0);
if (failed.length > 0) {
  console.log('\nTickets that did not end as they should:');
  for (const r of failed) console.log(describeResult(r));
}
