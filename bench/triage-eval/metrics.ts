// Scores for a labelled run: accuracy, macro-F1, per-class recall, and the majority-class baseline.

export interface Scores {
  n: number;
  accuracy: number;
  macroF1: number;
  recall: Record<string, number>;
  f1: Record<string, number>;
}

/**
 * Macro-F1 is taken over the classes with at least `minSupport` gold items: a class with one or two labelled
 * tickets scores 0 or 1 by chance and would swing the mean (their F1 is still listed).
 */
export function score(
  pairs: ReadonlyArray<{ gold: string; predicted: string }>,
  labels: readonly string[],
  minSupport = 1,
): Scores {
  const n = pairs.length;
  const correct = pairs.filter((p) => p.gold === p.predicted).length;
  const recall: Record<string, number> = {};
  const f1: Record<string, number> = {};
  const f1s: number[] = [];
  // Macro-F1 over the classes present in the gold labels: a class nobody labelled cannot be scored.
  for (const label of labels) {
    const gold = pairs.filter((p) => p.gold === label).length;
    if (gold === 0) continue;
    const predicted = pairs.filter((p) => p.predicted === label).length;
    const hits = pairs.filter((p) => p.gold === label && p.predicted === label).length;
    const precision = predicted === 0 ? 0 : hits / predicted;
    recall[label] = hits / gold;
    f1[label] = precision + recall[label]! === 0 ? 0 : (2 * precision * recall[label]!) / (precision + recall[label]!);
    if (gold >= minSupport) f1s.push(f1[label]!);
  }
  return {
    n,
    accuracy: n === 0 ? Number.NaN : correct / n,
    macroF1: f1s.reduce((a, b) => a + b, 0) / (f1s.length || 1),
    recall,
    f1,
  };
}

/** What always answering the most frequent gold label would score. */
export function majorityBaseline(
  golds: readonly string[],
  labels: readonly string[],
): { label: string; scores: Scores } {
  const counts = new Map<string, number>();
  for (const gold of golds) counts.set(gold, (counts.get(gold) ?? 0) + 1);
  const label = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? labels[0]!;
  return {
    label,
    scores: score(
      golds.map((gold) => ({ gold, predicted: label })),
      labels,
    ),
  };
}

/** The most frequent gold → predicted mistakes, "gold→predicted n". */
export function topConfusions(pairs: ReadonlyArray<{ gold: string; predicted: string }>, n = 6): string {
  const counts = new Map<string, number>();
  for (const p of pairs)
    if (p.gold !== p.predicted)
      counts.set(`${p.gold}→${p.predicted}`, (counts.get(`${p.gold}→${p.predicted}`) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
