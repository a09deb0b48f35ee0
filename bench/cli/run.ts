// Start-up time of the `twisterlab` command line for the commands that must stay fast: --version, --help and a
// subcommand's help. Runs each many times as a new process and prints the median and the slowest, for the
// compiled entry (dist/, what `npm start` runs) and the checkout's bin/twisterlab.js (through tsx).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
const entries = [
  ['compiled', path.join(root, 'dist/src/main/cli.js')],
  ['bin (tsx)', path.join(root, 'bin/twisterlab.js')],
].filter(([, file]) => existsSync(file!));

function time(file: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [file, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

console.log(`twisterlab start-up, ${runs} runs each (ms, median / slowest)`);
{
  // What any Node process costs here, to read the figures against (the machine's load shows in it).
  const bare = Array.from({ length: runs }, () => {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '']);
    return Number(process.hrtime.bigint() - start) / 1e6;
  }).sort((a, b) => a - b);
  console.log(
    `${'node -e ""'.padEnd(24)} ${bare[Math.floor(runs / 2)]!.toFixed(0).padStart(5)} / ${bare.at(-1)!.toFixed(0)}`,
  );
}
for (const [name, file] of entries) {
  for (const args of [['--version'], ['--help'], ['serve', '--help']]) {
    time(file!, args); // warm the file cache (and tsx's)
    const samples = Array.from({ length: runs }, () => time(file!, args)).sort((a, b) => a - b);
    console.log(
      `${name!.padEnd(10)} ${args.join(' ').padEnd(13)} ${samples[Math.floor(runs / 2)]!.toFixed(0).padStart(5)} / ${samples.at(-1)!.toFixed(0)}`,
    );
  }
}
