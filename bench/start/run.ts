// bench/start: how fast the `twisterlab` entry points answer, each a new process, measured in one run:
//   --version, --help and `ticket --help` (exit) against 300 ms; `twisterlab mcp` over stdio, driven by the MCP
//   SDK client, until the tools/list answer arrives, against 1.5 s (and until the client's listTools() resolves:
//   the SDK client then parses the answer and compiles each output schema, in this process) — and, to read those
//   against, until the first tools/call is answered (the runtime started: embedded store opened and migrated in a
//   fresh data directory).
//   npm run bench:start -- [--runs 7] [--mcp-runs 5]
// Runs the compiled entry (dist/), what an installed package or `npm start` runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { benchArgs } from '../lib/args.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');
const cli = path.join(root, 'dist/src/main/cli.js');
const { values } = benchArgs({
  options: { runs: { type: 'string', default: '7' }, 'mcp-runs': { type: 'string', default: '5' } },
});
const runs = Number(values.runs);
const mcpRuns = Number(values['mcp-runs']);

const CLI_TARGET_MS = 300;
const MCP_TARGET_MS = 1_500;

function stats(samples: number[]): { min: number; median: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
}

function line(name: string, samples: number[], target?: number): void {
  const { min, median, max } = stats(samples);
  const verdict = target === undefined ? '' : `  target ${target} ms: ${median <= target ? 'met' : 'missed'} (median)`;
  console.log(
    `${name.padEnd(30)} ${min.toFixed(0).padStart(6)} ${median.toFixed(0).padStart(7)} ${max.toFixed(0).padStart(6)}${verdict}`,
  );
}

function timeProcess(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return performance.now() - start;
}

/** One `twisterlab mcp` on a fresh embedded store: ms until tools/list answered, and until a first tools/call answered. */
async function timeMcp(): Promise<{ answer: number; list: number; call: number; tools: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-bench-start-'));
  const { DATABASE_URL: _pg, REDIS_URL: _redis, ...env } = process.env as Record<string, string>;
  const client = new Client({ name: 'bench-start', version: '1.0.0' });
  const start = performance.now();
  try {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cli, 'mcp'],
      cwd: root,
      stderr: 'ignore',
      env: { ...env, TWISTERLAB_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    });
    await client.connect(transport);
    // The answer as it comes off the pipe, before the client's own parsing and schema compilation.
    let answer = Number.NaN;
    const deliver = transport.onmessage;
    transport.onmessage = (message) => {
      if (Number.isNaN(answer) && 'result' in message && 'tools' in message.result) answer = performance.now() - start;
      deliver?.(message);
    };
    const { tools } = await client.listTools();
    const list = performance.now() - start;
    const called = await client.callTool({ name: 'ticket.list', arguments: { limit: 1 } });
    if (called.isError) throw new Error(`ticket.list failed: ${JSON.stringify(called.content)}`);
    return { answer, list, call: performance.now() - start, tools: tools.length };
  } finally {
    await client.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(
  `bench/start: compiled CLI (${path.relative(root, cli)}), ${runs} runs per command, ${mcpRuns} MCP starts (ms)`,
);
console.log(`${''.padEnd(30)} ${'min'.padStart(6)} ${'median'.padStart(7)} ${'max'.padStart(6)}`);
timeProcess(['-e', '']);
line(
  'node -e "" (any process)',
  Array.from({ length: runs }, () => timeProcess(['-e', ''])),
);
for (const args of [['--version'], ['--help'], ['ticket', '--help']]) {
  timeProcess([cli, ...args]); // warm the file cache
  line(
    `twisterlab ${args.join(' ')}`,
    Array.from({ length: runs }, () => timeProcess([cli, ...args])),
    CLI_TARGET_MS,
  );
}
const mcp: Array<Awaited<ReturnType<typeof timeMcp>>> = [];
for (let i = 0; i < mcpRuns; i += 1) mcp.push(await timeMcp());
line(
  `mcp: tools/list answer (${mcp[0]?.tools} tools)`,
  mcp.map((m) => m.answer),
  MCP_TARGET_MS,
);
line(
  'mcp: listTools() resolved',
  mcp.map((m) => m.list),
);
line(
  'mcp: first tools/call answer',
  mcp.map((m) => m.call),
);
