// Declares the vitest tests of a group of incidents: one lab and one runtime for the group, one test per
// phrasing, each asserting the outcome and what the real system shows afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from './incidents.ts';
import { describeResult, runPhrasing, startLabRun, type LabRun } from './scenario-runner.ts';

export function incidentSuite(name: string, incidents: Incident[]): void {
  describe(name, () => {
    let run: LabRun;
    beforeAll(async () => {
      run = await startLabRun(incidents);
    }, 240_000);
    afterAll(async () => run?.close(), 120_000);

    for (const incident of incidents) {
      describe(`${incident.id}: ${incident.title}`, () => {
        incident.phrasings.forEach((phrasing, index) => {
          const test = incident.knownGap ? it.fails : it;
          const gap = incident.knownGap ? ` (known gap: ${incident.knownGap.split(';')[0]})` : '';
          test(`ends ${[incident.expect.status].flat().join(' or ')} and the real system agrees, for "${phrasing}"${gap}`, async () => {
            const result = await runPhrasing(run.lab, run.app, incident, index);
            expect(result.problems, describeResult(result)).toEqual([]);
          }, 240_000);
        });
      });
    }
  });
}
