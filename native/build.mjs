// Builds the native spawn helper (native/spawn-helper.c) into dist/native/ with the C compiler in $CC, or cc.
// Run by `npm install` / `npm ci` (postinstall) and `npm run build`. Without a compiler the platform still works:
// the Node spawn helper starts the commands instead (about half as fast), and this says so. Set
// TWISTERLAB_NATIVE_REQUIRED=1 (CI does) to make a missing compiler or a failed build an error.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const source = path.join(root, 'native', 'spawn-helper.c');
const target = path.join(root, 'dist', 'native', 'twisterlab-spawn-helper');
const required = process.env.TWISTERLAB_NATIVE_REQUIRED === '1';
const compiler = process.env.CC || 'cc';

mkdirSync(path.dirname(target), { recursive: true });
const partial = `${target}.${process.pid}`;
const built = spawnSync(compiler, ['-O2', '-Wall', '-Wextra', '-std=c11', '-o', partial, source], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (built.status === 0) {
  renameSync(partial, target);
} else {
  rmSync(partial, { force: true });
  const why = built.error
    ? `${compiler} could not be run (${built.error.code ?? built.error.message})`
    : `${compiler} failed`;
  console.error(
    `twisterlab: the native spawn helper was not built: ${why}. Local commands will start through the Node helper (slower); install a C compiler and run \`npm run build:native\` to build it.`,
  );
  if (required) process.exit(1);
}
