// Lint: typescript-eslint's recommended rules, and the layer boundaries of the design as import rules
// (dependencies point inward: main → http, mcp, cli, adapters, agents → core).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const frameworks = [
  'fastify',
  'fastify-*',
  '@fastify/*',
  'pg',
  'drizzle-orm',
  'drizzle-orm/*',
  '@electric-sql/*',
  'ioredis',
  'bullmq',
  'prom-client',
  'pino',
  '@modelcontextprotocol/*',
  'ssh2',
  'playwright-core',
  'systeminformation',
  'nodemailer',
  'imapflow',
];

/** No import of these folders (relative to src/) or packages from the files of `files`. */
function boundary(files, { folders = [], packages = [], why }) {
  return {
    files,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...folders.map((folder) => ({
              group: [`**/${folder}/*`, `**/${folder}/**`, `**/${folder}.ts`],
              message: `${why} (${folder})`,
            })),
            ...(packages.length > 0 ? [{ group: packages, message: why }] : []),
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'src/web/dist/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-undef': 'off', // TypeScript checks names; the rule does not know Node's globals in .ts files
      // The sanitisers (prompt guard, text guard, terminal output) match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests build partial contexts and wire real adapters into the unit under test.
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  boundary(['src/core/**/*.ts'], {
    folders: ['adapters', 'agents', 'http', 'mcp', 'cli', 'main', 'web', 'config'],
    packages: frameworks,
    why: 'core is the domain: it imports no adapter, agent, interface, composition root, configuration or framework',
  }),
  boundary(['src/agents/**/*.ts'], {
    folders: ['adapters', 'http', 'mcp', 'cli', 'main', 'web', 'config'],
    why: "an agent imports only core's contracts and its own files; adapters reach it through ctx.deps",
  }),
  boundary(['src/adapters/**/*.ts'], {
    folders: ['http', 'mcp', 'cli', 'main', 'web'],
    why: "an adapter implements core's ports; it does not know the interfaces or the composition root",
  }),
  boundary(['src/http/**/*.ts', 'src/mcp/**/*.ts'], {
    folders: ['adapters', 'main', 'cli'],
    why: "interfaces reach adapters through core's ports, wired by main; they import neither the composition root nor the CLI",
  }),
);
