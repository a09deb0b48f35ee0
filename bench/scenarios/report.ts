// The figures of the scenario bench: the acceptance counts, and a line per incident.
import type { Incident } from '../../test/scenarios/incidents.ts';
import type { PhrasingResult } from '../../test/scenarios/scenario-runner.ts';

const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(0)} %`);

export function summarise(incidents: Incident[], results: PhrasingResult[]): string {
  const filed = results.filter((r) => r.ticketId);
  const count = (p: (r: PhrasingResult) => boolean) => results.filter(p).length;
  const escalations = count((r) => r.status === 'escalated');
  const fixable = incidents.filter((i) => i.kind === 'fixable');
  const firstFixed = fixable.filter(
    (i) => results.find((r) => r.incident === i && r.phrasingIndex === 0)?.verifiedFix,
  ).length;
  const falseResolutions = count((r) => r.falseResolution);
  const unneeded = count((r) => r.unneeded.length > 0);
  const met = falseResolutions === 0 && unneeded === 0 && fixable.length > 0 && firstFixed / fixable.length >= 0.8;
  return [
    ['tickets', `${filed.length}`],
    [
      'verified fixes',
      `${count((r) => r.verifiedFix)} (of ${results.filter((r) => r.incident.kind === 'fixable').length} tickets on fixable faults)`,
    ],
    ['false resolutions', `${falseResolutions}`],
    ['unneeded changes', `${unneeded}`],
    [
      'no-fault-found',
      `${count((r) => r.status === 'no_fault_found')} (${count((r) => r.incident.kind === 'false_alarm' && r.status === 'no_fault_found')} of ${results.filter((r) => r.incident.kind === 'false_alarm').length} false alarms)`,
    ],
    ['escalations', `${escalations}`],
    ['escalations naming the right finding', `${count((r) => r.namedRightFinding)} of ${escalations}`],
    [
      'first-phrasing fix rate',
      `${pct(firstFixed, fixable.length)} (${firstFixed} of ${fixable.length} fixable faults)`,
    ],
    ['as expected', `${count((r) => r.problems.length === 0)} of ${results.length} tickets`],
    ['acceptance (0 false resolutions, 0 unneeded changes, >= 80 % first-phrasing fixes)', met ? 'met' : 'NOT met'],
  ]
    .map(([k, v]) => `${k!.padEnd(44)} ${v}`)
    .join('\n');
}

export function table(incidents: Incident[], results: PhrasingResult[]): string {
  const rows = incidents.map((i) => {
    const mine = results.filter((r) => r.incident === i);
    const ok = mine.filter((r) => r.problems.length === 0).length;
    const first = mine.find((r) => r.problems.length > 0)?.problems[0] ?? '';
    return [i.id, i.kind, `${ok}/${mine.length}`, mine.map((r) => r.status).join(','), first.slice(0, 110)];
  });
  const head = ['incident', 'kind', 'ok', 'statuses', 'first problem'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
