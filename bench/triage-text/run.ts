// bench/triage-text: how long the rule-based classifier and sentiment analyser take on a 1 kB ticket, and on
// 20 000 characters of pathological input (long runs, repeated negators and cue words), to show that no
// pattern goes quadratic. The tests prove the patterns linear with the recheck analyser; this prints the time.
//   node --import tsx bench/triage-text/run.ts [--runs 500]
import { classifyText } from '../../src/agents/classifier/classify-ticket.ts';
import { analyzeSentimentText } from '../../src/agents/sentiment/analyze-sentiment.ts';
import { benchArgs } from '../lib/args.ts';

const { values } = benchArgs({ options: { runs: { type: 'string', default: '500' } } });
const runs = Number(values.runs);

const base =
  "Since this morning the VPN keeps dropping every 5 minutes and I can't log in to the portal. " +
  'This is the third time I report it. We have a demo before noon tomorrow, please fix this ASAP! ';
const ticket = base.repeat(Math.ceil(1024 / base.length)).slice(0, 1024);

const analysers: Array<[string, (text: string) => unknown]> = [
  ['classifyText', classifyText],
  ['analyzeSentimentText', analyzeSentimentText],
];

function measure(label: string, run: (text: string) => unknown, text: string, count: number): number {
  for (let i = 0; i < Math.min(count, 50); i += 1) run(text);
  const started = performance.now();
  for (let i = 0; i < count; i += 1) run(text);
  const perCall = (performance.now() - started) / count;
  console.log(
    `${label.padEnd(52)} ${String(text.length).padStart(6)} chars  ${perCall.toFixed(3).padStart(9)} ms/call`,
  );
  return perCall;
}

console.log(`mean of ${runs} calls on a 1 kB ticket, of 3 on each pathological input`);
for (const [name, run] of analysers) measure(`${name}: 1 kB ticket`, run, ticket, runs);

const pathological: Array<[string, string]> = [
  ['one long word', 'a'.repeat(20_000)],
  ['repeated term "error "', 'error '.repeat(3_300)],
  ['hyphen-joined run "a-"', 'a-'.repeat(10_000)],
  ['underscore-joined run "slow_"', 'slow_'.repeat(4_000)],
  ['spaces', ' '.repeat(20_000)],
  ['repeated negator "no "', 'no '.repeat(6_600)],
  ["repeated can't", "can't ".repeat(3_300)],
  ['repeated "!?"', '!?'.repeat(10_000)],
  ['digits', '9'.repeat(20_000)],
  ['shouted words', 'BROKEN '.repeat(2_850)],
];
const timed: Array<[string, number]> = [];
for (const [name, run] of analysers) {
  for (const [label, text] of pathological)
    timed.push([`${name}: ${label}`, measure(`${name}: ${label}`, run, text, 3)]);
}
console.log('\nslowest pathological inputs:');
for (const [label, ms] of [...timed].sort((a, b) => b[1] - a[1]).slice(0, 5))
  console.log(`  ${ms.toFixed(2).padStart(8)} ms  ${label}`);
