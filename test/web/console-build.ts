// Builds the console (vite, src/web → dist/web) before the tests that load it, once: skipped while the build is
// newer than every source file, and serialised by a lock directory when several test files start together.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CONSOLE_DIR = path.join(REPO, 'dist', 'web');
const SOURCES = path.join(REPO, 'src', 'web');
const LOCK = path.join(REPO, 'dist', '.web-build.lock');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const fresh = () => {
  const index = path.join(CONSOLE_DIR, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newest(SOURCES);
};

export async function ensureConsoleBuilt(): Promise<void> {
  if (fresh()) return;
  mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another test file is building; a lock left by a killed run is taken over after two minutes.
      const held = statSync(LOCK, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!fresh()) {
      const vite = path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
      execFileSync(process.execPath, [vite, 'build', '--config', path.join(SOURCES, 'vite.config.ts')], {
        cwd: REPO,
        stdio: 'pipe',
      });
    }
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
