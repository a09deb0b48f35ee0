// bench/triage-eval: scores triage on public labelled data — ticket category and priority, tweet sentiment —
// for the rules path and, when OLLAMA_BASE_URL is set, the LLM path, next to the majority-class baseline.
//   node --import tsx bench/triage-eval/run.ts [--data ../shared/data] [--limit N] [--llm-limit 200]
import { resolve } from 'node:path';
import {
  CATEGORIES,
  INTENTS,
  PRIORITIES,
  SENTIMENTS,
  type Category,
  type Intent,
  type Priority,
  type Sentiment,
} from '../../src/core/ticket.ts';
import { PACKAGE_ROOT } from '../../src/adapters/package-root.ts';
import { fmt, percentile } from '../lib/stats.ts';
import { loadTickets, loadTweets, type LabelledTicket, type LabelledTweet } from './datasets.ts';
import { majorityBaseline, score, topConfusions, type Scores } from './metrics.ts';
import { freshInstall } from './fresh-install.ts';
import { llmPath, rulesPath, type TriagePath } from './paths.ts';
import { benchArgs } from '../lib/args.ts';

const { values } = benchArgs({
  options: {
    data: { type: 'string', default: resolve(PACKAGE_ROOT, '../shared/data') },
    limit: { type: 'string' },
    'llm-limit': { type: 'string', default: '200' },
    // Rules are tuned on `tune`; the figures to report are those of `holdout` (the default).
    split: { type: 'string', default: 'holdout' },
  },
});

// The data has three priorities; our `critical` is their `high` (the most urgent level they have).
const asTheirPriority = (p: Priority): Priority => (p === 'critical' ? 'high' : p);

interface Row {
  path: string;
  task: string;
  n: number;
  scores: Scores;
  extra: string;
  latency: string;
}

const recalls = (s: Scores) => SENTIMENTS.map((label) => fmt(s.recall[label] ?? Number.NaN)).join(' / ');

function latencyOf(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  return `${fmt(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1), 2)} / ${fmt(percentile(sorted, 95), 2)}`;
}

async function timed<T>(
  items: readonly T[],
  run: (item: T) => Promise<unknown>,
): Promise<{ outputs: unknown[]; ms: number[] }> {
  const outputs: unknown[] = [];
  const ms: number[] = [];
  for (const item of items) {
    const started = performance.now();
    outputs.push(await run(item));
    ms.push(performance.now() - started);
  }
  return { outputs, ms };
}

async function evaluate(path: TriagePath, tickets: LabelledTicket[], tweets: LabelledTweet[]): Promise<Row[]> {
  const t = await timed(tickets, (ticket) => path.ticket(ticket.text));
  const triaged = t.outputs as Array<{ category: Category; priority: Priority; intent: Intent }>;
  const categorised = tickets.flatMap((ticket, i) =>
    ticket.category ? [{ gold: ticket.category, predicted: triaged[i]!.category }] : [],
  );
  const intents = tickets.map((ticket, i) => ({ gold: ticket.intent, predicted: triaged[i]!.intent }));
  const categoryScores = score(categorised, CATEGORIES, MIN_SUPPORT);
  const intentScores = score(intents, INTENTS, MIN_SUPPORT);
  const perClass = (s: Scores) =>
    Object.entries(s.f1)
      .map(([label, f]) => `${label} ${fmt(f)}`)
      .join(', ');
  details.push(
    `${path.name} category F1 per class: ${perClass(categoryScores)}; other recall ${fmt(categoryScores.recall.other ?? Number.NaN)}`,
    `${path.name} category confusions: ${topConfusions(categorised)}`,
    `${path.name} intent F1 per class: ${perClass(intentScores)}`,
    `${path.name} intent confusions: ${topConfusions(intents)}`,
  );
  const prioritised = tickets.map((ticket, i) => ({
    gold: ticket.priority,
    predicted: asTheirPriority(triaged[i]!.priority),
  }));
  const s = await timed(tweets, (tweet) => path.sentiment(tweet.text));
  const sentiments = tweets.map((tweet, i) => ({ gold: tweet.sentiment, predicted: s.outputs[i] as Sentiment }));
  const sentimentScores = score(sentiments, SENTIMENTS);
  return [
    {
      path: path.name,
      task: 'ticket category',
      n: categorised.length,
      scores: categoryScores,
      extra: '',
      latency: latencyOf(t.ms),
    },
    {
      path: path.name,
      task: 'ticket intent',
      n: intents.length,
      scores: intentScores,
      extra: '',
      latency: latencyOf(t.ms),
    },
    {
      path: path.name,
      task: 'ticket priority',
      n: prioritised.length,
      scores: score(prioritised, PRIORITIES),
      extra: '',
      latency: latencyOf(t.ms),
    },
    {
      path: path.name,
      task: 'tweet sentiment',
      n: sentiments.length,
      scores: sentimentScores,
      extra: recalls(sentimentScores),
      latency: latencyOf(s.ms),
    },
  ];
}

const details: string[] = [];
// Classes with fewer gold tickets than this are listed but left out of macro-F1 (database and storage have a handful).
const MIN_SUPPORT = 10;

function baselines(tickets: LabelledTicket[], tweets: LabelledTweet[]): Row[] {
  const category = majorityBaseline(
    tickets.flatMap((t) => (t.category ? [t.category] : [])),
    CATEGORIES,
  );
  const support = new Map<string, number>();
  for (const t of tickets) if (t.category) support.set(t.category, (support.get(t.category) ?? 0) + 1);
  details.push(
    `gold categories: ${[...support].map(([k, v]) => `${k} ${v}`).join(', ')} (macro-F1 over those with ≥ ${MIN_SUPPORT})`,
  );
  const intent = majorityBaseline(
    tickets.map((t) => t.intent),
    INTENTS,
  );
  const priority = majorityBaseline(
    tickets.map((t) => t.priority),
    PRIORITIES,
  );
  const sentiment = majorityBaseline(
    tweets.map((t) => t.sentiment),
    SENTIMENTS,
  );
  return [
    {
      path: `majority (${category.label})`,
      task: 'ticket category',
      n: category.scores.n,
      scores: category.scores,
      extra: '',
      latency: '',
    },
    {
      path: `majority (${intent.label})`,
      task: 'ticket intent',
      n: intent.scores.n,
      scores: intent.scores,
      extra: '',
      latency: '',
    },
    {
      path: `majority (${priority.label})`,
      task: 'ticket priority',
      n: priority.scores.n,
      scores: priority.scores,
      extra: '',
      latency: '',
    },
    {
      path: `majority (${sentiment.label})`,
      task: 'tweet sentiment',
      n: sentiment.scores.n,
      scores: sentiment.scores,
      extra: recalls(sentiment.scores),
      latency: '',
    },
  ];
}

function print(rows: Row[]): void {
  const header = ['task', 'path', 'n', 'accuracy', 'macro-F1', 'recall neg / neu / pos', 'ms/item mean / p95'];
  const lines = rows
    .sort((a, b) => a.task.localeCompare(b.task))
    .map((r) => [r.task, r.path, String(r.n), fmt(r.scores.accuracy), fmt(r.scores.macroF1), r.extra, r.latency]);
  const widths = header.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, k) => c.padEnd(widths[k]!)).join(' | ')} |`;
  console.log([line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n'));
}

const limit = values.limit ? Number(values.limit) : Number.POSITIVE_INFINITY;
let tickets: LabelledTicket[];
let tweets: LabelledTweet[];
try {
  const split = values.split;
  if (!['tune', 'holdout', 'all'].includes(split))
    throw new Error(`--split must be tune, holdout or all, not ${split}`);
  tickets = loadTickets(values.data)
    .filter((t) => split === 'all' || t.split === split)
    .slice(0, limit);
  tweets = loadTweets(values.data).slice(0, limit);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
console.log(
  `data: ${values.data} — split ${values.split}: ${tickets.length} English tickets (${tickets.filter((t) => t.category).length} with a gold category), ${tweets.length} tweets`,
);
const rows = [...baselines(tickets, tweets), ...(await evaluate(rulesPath(), tickets, tweets))];
const llm = llmPath();
if (llm) {
  // A model answers in seconds, not microseconds: score it on an evenly spread sample.
  const every = <T>(items: T[], n: number) =>
    items.filter((_, i) => i % Math.max(1, Math.floor(items.length / n)) === 0).slice(0, n);
  const n = Number(values['llm-limit']);
  rows.push(...(await evaluate(llm, every(tickets, n), every(tweets, n))));
} else {
  console.log('LLM path: skipped (OLLAMA_BASE_URL is not set)');
}
print(rows);
for (const line of details) console.log(line);
const fresh = await freshInstall(tickets);
console.log(
  `fresh install (nothing declared): ${fresh.diagnosedHere} of ${fresh.tickets} tickets would run checks on this host ` +
    `(${fresh.diagnosed} would run checks of anything, a host or URL they name included); ` +
    `${fresh.equipmentDiagnosedHere} of ${fresh.equipment} tickets about the requester's equipment (hardware, printer, driver, warranty tags) would check this host ` +
    `(${fresh.equipmentDiagnosed} would check anything); ` +
    `${fresh.summariesNamingRequestAndTeam} of ${fresh.summaries} handoffs name the request and a team`,
);
