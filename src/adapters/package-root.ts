// Finds the package's root folder (where package.json and drizzle/ live) from any module, so paths hold
// whether the code runs from src/ through tsx or from the compiled dist/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'twisterlab'
    )
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no twisterlab package.json above ${start}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

export const PACKAGE_VERSION = (
  JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
