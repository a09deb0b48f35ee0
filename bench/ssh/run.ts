// bench/ssh: commands per second over one pooled SSH connection, and the cost per command against plain
// `ssh` (a new process, connection, key exchange and login each time) to the same local sshd.
//   node --import tsx bench/ssh/run.ts [--commands 300] [--plain 30] [--concurrency 4]
import { execFileSync } from 'node:child_process';
import { SshPool } from '../../src/adapters/devices/ssh/ssh-pool.ts';
import { createSshExecutor } from '../../src/adapters/devices/ssh/ssh-executor.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startTestSshd } from '../../test/helpers/sshd.ts';
import { fmt, percentile } from '../lib/stats.ts';
import { benchArgs } from '../lib/args.ts';

const { values } = benchArgs({
  options: {
    commands: { type: 'string', default: '300' },
    plain: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '4' },
  },
});
const COMMANDS = Number(values.commands);
const PLAIN = Number(values.plain);
const CONCURRENCY = Number(values.concurrency);

const sshd = await startTestSshd({ logCommands: false });
const spec = sshd.device({ maxConcurrency: CONCURRENCY });
const pool = new SshPool({ connectTimeoutMs: 5_000, logger: silentLogger });
const executor = createSshExecutor(() => spec, pool);
const options = { timeoutMs: 10_000, outputCap: 64 * 1024 };
const argv = ['true'];

function summary(label: string, latencies: number[], elapsedMs: number): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} ${fmt(latencies.length / (elapsedMs / 1000), 1).padStart(8)} cmd/s   p50 ${fmt(percentile(sorted, 50), 1)} ms   p95 ${fmt(percentile(sorted, 95), 1)} ms   (n=${latencies.length})`,
  );
}

try {
  for (let i = 0; i < 10; i += 1) await executor.exec(argv, options); // connect and warm up
  const sequential: number[] = [];
  let started = performance.now();
  for (let i = 0; i < COMMANDS; i += 1) {
    const t = performance.now();
    const result = await executor.exec(argv, options);
    if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}: ${result.stderr}`);
    sequential.push(performance.now() - t);
  }
  const pooledMs = performance.now() - started;

  const concurrent: number[] = [];
  let next = 0;
  started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < COMMANDS) {
        next += 1;
        const t = performance.now();
        await executor.exec(argv, options);
        concurrent.push(performance.now() - t);
      }
    }),
  );
  const concurrentMs = performance.now() - started;

  const sshArgs = [
    '-i',
    sshd.clientKeyFile,
    '-p',
    String(sshd.port),
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${sshd.dir}/known_hosts`,
    `${sshd.user}@127.0.0.1`,
    'true',
  ];
  execFileSync('sh', ['-c', `echo "[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}" > ${sshd.dir}/known_hosts`]);
  const plain: number[] = [];
  started = performance.now();
  for (let i = 0; i < PLAIN; i += 1) {
    const t = performance.now();
    execFileSync('ssh', sshArgs, { stdio: 'ignore' });
    plain.push(performance.now() - t);
  }
  const plainMs = performance.now() - started;

  console.log(`bench/ssh: \`true\` on a local OpenSSH server (127.0.0.1:${sshd.port}), node ${process.version}`);
  summary('pooled, one at a time', sequential, pooledMs);
  summary(`pooled, ${CONCURRENCY} at a time (one connection)`, concurrent, concurrentMs);
  summary('plain ssh, one at a time', plain, plainMs);
  const pooledPer = pooledMs / COMMANDS;
  const plainPer = plainMs / PLAIN;
  console.log(
    `per command: pooled ${fmt(pooledPer, 1)} ms, plain ssh ${fmt(plainPer, 1)} ms: ` +
      `the pool saves ${fmt(plainPer - pooledPer, 1)} ms per command (${fmt(plainPer / pooledPer, 1)}x faster)`,
  );
} finally {
  await pool.close();
  await sshd.stop();
}
