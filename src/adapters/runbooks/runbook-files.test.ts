import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBuiltinRunbooks, loadCatalogue, loadRunbookDir } from './runbook-files.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'runbooks-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const valid = `
id: restart-web
title: Restart the web service
categories: [application]
keywords: [down]
requires: [service]
parameters:
  service: { type: string, from: '{{context.serviceName}}', pattern: '^[a-z-]+$' }
diagnose:
  - id: probe
    capability: monitoring.check_service_health
    params: { service_name: '{{params.service}}' }
    description: Probe
findings:
  - { id: service.unreachable, step: probe, when: [{ path: healthy, op: eq, value: false }] }
fix:
  - capability: commander.execute_command
    params: { device_id: local, command: '{{service.restart}}' }
    description: Restart
    addresses: service.unreachable
    withoutBackup: a restart keeps no state
verify:
  - capability: monitoring.check_service_health
    params: { service_name: '{{params.service}}' }
    description: Healthy again
    expect: [{ path: healthy, op: eq, value: true }]
`;

describe('runbook files', () => {
  it('loads every shipped runbook, each valid against the schema', () => {
    const builtin = loadBuiltinRunbooks();
    expect(builtin.length).toBeGreaterThanOrEqual(5);
    expect(new Set(builtin.map((r) => r.id)).size).toBe(builtin.length);
    expect(builtin.every((r) => r.source?.startsWith('builtin:'))).toBe(true);
  });

  it("adds a user's directory to the built-ins (YAML, and JSON lists under `runbooks`)", () => {
    const dir = dirWith({
      'web.yaml': valid,
      'more.json': JSON.stringify({ runbooks: [{ id: 'a', title: 'A', categories: ['other'], diagnose: [{ capability: 'monitoring.get_system_metrics', description: 'm' }] }] }),
      'notes.txt': 'ignored',
    });
    const catalogue = loadCatalogue(dir);
    const web = catalogue.find((r) => r.id === 'restart-web')!;
    expect(web.source).toBe(path.join(dir, 'web.yaml'));
    expect(web.fix[0]!.withoutBackup).toBe('a restart keeps no state');
    expect(catalogue.some((r) => r.id === 'a')).toBe(true);
    expect(catalogue.some((r) => r.id === 'disk-space')).toBe(true);
  });

  it.each([
    ['a field of the wrong type', valid.replace('categories: [application]', 'categories: [nonsense]'), /web\.yaml, "restart-web", categories\.0: /],
    ['an undeclared parameter', valid.replace("service_name: '{{params.service}}' }\n    description: Probe", "service_name: '{{params.other}}' }\n    description: Probe"), /diagnose\[0\]: \{\{params\.other\}\} uses a parameter that is not declared/],
    ['a step output from a later or unknown step', valid.replace("command: '{{service.restart}}'", "command: '{{steps.later.cmd}}'"), /fix\[0\]: \{\{steps\.later\.cmd\}\} must name an earlier step/],
    ['an unknown template root', valid.replace("command: '{{service.restart}}'", "command: '{{env.HOME}}'"), /must start with context/],
    ['an unknown field', `${valid}\nshell: true\n`, /Unrecognized key/],
    ['broken YAML', 'id: [unclosed', /not valid YAML/],
  ])('refuses %s, naming the file and the field', (_label, text, message) => {
    const dir = dirWith({ 'web.yaml': text });
    expect(() => loadRunbookDir(dir)).toThrow(message);
    expect(() => loadRunbookDir(dir)).toThrow(/web\.yaml/);
  });

  it('refuses a capability no agent offers, when the registry is asked', () => {
    const dir = dirWith({ 'web.yaml': valid });
    expect(() => loadRunbookDir(dir, { capabilityExists: (id) => id !== 'commander.execute_command' }))
      .toThrow(/fix\[0\]\.capability: no registered agent offers commander\.execute_command/);
  });

  it('refuses an id already used by a built-in runbook, naming both', () => {
    const dir = dirWith({ 'mine.yaml': valid.replace('id: restart-web', 'id: disk-space') });
    expect(() => loadCatalogue(dir)).toThrow(/mine\.yaml, "disk-space", id: the id is already used by builtin:disk-space\.yaml/);
  });

  it('refuses a directory that does not exist', () => {
    expect(() => loadRunbookDir('/nonexistent/runbooks')).toThrow(/cannot be read: ENOENT/);
  });
});
