// The design's layers as lint rules: the lint configuration refuses an import that points outward, and accepts
// the ones that point inward. Checked with ESLint's own API on source text placed at real paths.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries in the lint configuration', () => {
  it.each([
    ['src/core/example.ts', "import { openStore } from '../adapters/store/open-store.ts';"],
    ['src/core/example.ts', "import { loadConfig } from '../config.ts';"],
    ['src/core/example.ts', "import Fastify from 'fastify';"],
    ['src/core/example.ts', "import { sql } from 'drizzle-orm';"],
    ['src/core/findings/example.ts', "import { buildApp } from '../../http/app.ts';"],
    [
      'src/agents/commander/example.ts',
      "import { createLocalInventory } from '../../adapters/devices/local-inventory.ts';",
    ],
    ['src/agents/commander/example.ts', "import { createRuntime } from '../../main/runtime.ts';"],
    ['src/adapters/store/example.ts', "import { buildApp } from '../../http/app.ts';"],
    ['src/http/routes/example.ts', "import { createRuntime } from '../../main/runtime.ts';"],
    ['src/http/routes/example.ts', "import { createMetrics } from '../../adapters/metrics/prometheus-metrics.ts';"],
    ['src/mcp/example.ts', "import { openStore } from '../adapters/store/open-store.ts';"],
  ])('refuses in %s: %s', async (file, source) => {
    expect(
      await restrictedImports(
        file,
        `${source}\nexport const used = [${source
          .match(/\{ (\w+) \}|import (\w+)/)!
          .slice(1)
          .find(Boolean)}];\n`,
      ),
    ).toHaveLength(1);
  });

  it.each([
    ['src/agents/commander/example.ts', "import { defineCapability } from '../../core/capability.ts';"],
    ['src/adapters/store/example.ts', "import type { TicketRepository } from '../../core/ticket-repository.ts';"],
    ['src/http/routes/example.ts', "import type { TicketRepository } from '../../core/ticket-repository.ts';"],
    ['src/main/example.ts', "import { buildApp } from '../http/app.ts';"],
  ])('accepts in %s: %s', async (file, source) => {
    expect(
      await restrictedImports(file, `${source}\nexport type Used = typeof ${source.match(/\{ (\w+) \}/)![1]};\n`),
    ).toEqual([]);
  });
});
