// Which packages a process loads: the adapters' heavy dependencies (SSH, Redis, queue, mail, host metrics,
// browser, stores, HTTP server) are imported by the factory that first needs them, so the help, the version and
// the MCP tool catalogue load none of them. Read from the import recorder's lines, not from timings.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/twisterlab.js');
const RECORDER = path.join(import.meta.dirname, 'import-recorder.mjs');
const HEAVY = [
  'ssh2',
  'bullmq',
  'ioredis',
  'nodemailer',
  'imapflow',
  'mailparser',
  'systeminformation',
  'playwright-core',
  '@electric-sql/pglite',
  'pg',
  'drizzle-orm',
  'fastify',
  'prom-client',
  'pino',
  'tar-stream',
];

function packagesImported(args: string[]): { packages: string[]; stdout: string } {
  const result = spawnSync(process.execPath, ['--import', RECORDER, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: '',
    timeout: 120_000,
  });
  expect(result.status, result.stderr).toBe(0);
  const packages = result.stderr
    .split('\n')
    .filter((l) => l.startsWith('import '))
    .map((l) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
  return { packages: [...new Set(packages)], stdout: result.stdout };
}

describe('heavy packages are loaded where they are first needed', { timeout: 240_000 }, () => {
  for (const args of [['--version'], ['--help'], ['ticket', '--help']]) {
    it(`twisterlab ${args.join(' ')} loads none of them`, () => {
      const { packages, stdout } = packagesImported([CLI, ...args]);
      expect(stdout.length).toBeGreaterThan(0);
      // It did load something from node_modules (the recorder sees packages), just not these.
      expect(packages).toContain('commander');
      expect(packages.filter((p) => HEAVY.includes(p))).toEqual([]);
    });
  }

  it('the MCP tool catalogue is built without any of them', () => {
    const script =
      "const { toolCatalogue } = await import('./src/mcp/tool-catalogue.ts'); console.log(toolCatalogue().length);";
    const { packages, stdout } = packagesImported(['--import', 'tsx', '--input-type=module', '-e', script]);
    expect(Number(stdout.trim())).toBeGreaterThan(30);
    expect(packages).toContain('zod');
    expect(packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  });
});
