// The OpenAPI document as clients use it: Redocly lint (recommended rules) finds nothing, every operation is
// named, tagged and answers its errors with the documented envelope, and a client generated from it with
// openapi-typescript type-checks a real call (and refuses a wrong one).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAGS } from '../../src/http/openapi.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

type Json = Record<string, any>; // a parsed document
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

let t: TestRuntime;
let dir: string;
let file: string;
let spec: Json;

function operations(): Array<{ path: string; method: string; op: Json }> {
  return Object.entries(spec.paths as Json).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path: p, method: m, op: item[m] as Json })),
  );
}

beforeAll(async () => {
  t = await startTestRuntime('pglite', { TWISTERLAB_API_KEYS: 'alice:admin:admin-key-0123456789' });
  const response = await t.app.inject({ method: 'GET', url: '/docs/json' });
  expect(response.statusCode).toBe(200);
  spec = response.json();
  dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-openapi-'));
  file = path.join(dir, 'openapi.json');
  writeFileSync(file, response.body);
});

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('OpenAPI document', () => {
  it('passes Redocly lint with the recommended rules: 0 errors, 0 warnings', async () => {
    const { stdout } = await run(
      path.join(ROOT, 'node_modules/.bin/redocly'),
      ['lint', file, '--config', path.join(ROOT, 'redocly.yaml'), '--format', 'json'],
      {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; message: string; location: unknown }>;
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('names and tags every operation, and documents its errors with the Error envelope', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(20);
    const ids = ops.map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const tagNames: string[] = TAGS.map((tag) => tag.name);
    expect((spec.tags as Json[]).map((tag) => tag.name)).toEqual(tagNames);
    for (const { path: p, method, op } of ops) {
      const where = `${method.toUpperCase()} ${p}`;
      expect(op.tags, where).toHaveLength(1);
      expect(tagNames, where).toContain(op.tags[0]);
      for (const [status, response] of Object.entries(op.responses as Json)) {
        if (!/^[45]/.test(status) || p === '/health') continue;
        const schema = response.content?.['application/json']?.schema as Json | undefined;
        const refs = JSON.stringify(schema);
        expect(refs, `${where} ${status}`).toContain('#/components/schemas/Error');
      }
      // Every route can answer 500 with the envelope, and every keyed route 401.
      expect(
        Object.keys(op.responses).some((s) => s === '500' || s === '5XX'),
        where,
      ).toBe(true);
      if (!op.security)
        expect(
          Object.keys(op.responses).some((s) => s === '401' || s === '4XX'),
          where,
        ).toBe(true);
    }
    expect(spec.components.schemas.Error.properties.error.properties.code.enum).toContain('TICKET_NOT_FOUND');
    expect(spec.paths['/api/v1/tickets'].post.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/SubmitTicketInput',
    );
  });

  it('asks no key of /health, and declares the event stream as text/event-stream', async () => {
    expect(spec.paths['/health'].get.security).toEqual([]);
    expect(spec.paths['/api/v1/tickets'].get.security).toBeUndefined();
    expect(spec.security).toEqual([{ apiKey: [] }, { bearer: [] }]);
    expect(Object.keys(spec.paths['/api/v1/tickets/{id}/events'].get.responses['200'].content)).toEqual([
      'text/event-stream',
    ]);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tickets' })).statusCode).toBe(401);
    expect(JSON.stringify(spec)).not.toContain('"nullable"');
  });

  it('generates a TypeScript client with openapi-typescript that type-checks a call, and refuses a wrong one', async () => {
    writeFileSync(
      path.join(dir, 'api.d.ts'),
      astToString(await openapiTS(spec as Parameters<typeof openapiTS>[0], { defaultNonNullable: false })),
    );
    const usage = (body: string, use: string) => `
import type { components, paths } from './api';
type Submit = paths['/api/v1/tickets']['post'];
type Body = Submit['requestBody']['content']['application/json'];
type Accepted = Submit['responses'][202]['content']['application/json'];
type Failure = components['schemas']['Error'];
declare function post<B, R>(path: string, body: B): Promise<R | Failure>;
export async function submit(): Promise<string> {
  const body: Body = ${body};
  const answer = await post<Body, Accepted>('/api/v1/tickets', body);
  if ('error' in answer) return answer.error.code;
  ${use}
}
`;
    const check = (name: string, source: string) => {
      writeFileSync(path.join(dir, name), source);
      const program = ts.createProgram([path.join(dir, name)], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts'],
        types: [],
        skipLibCheck: false,
      });
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    };
    expect(
      check(
        'good.ts',
        usage(
          `{ description: 'The shop is down', context: { serviceName: 'shop' } }`,
          `const status: 'new' | 'resolved' | 'escalated' | string = answer.ticket.status;\n  return answer.ticket.findings.map((f) => f.summary).join() + status;`,
        ),
      ),
    ).toEqual([]);
    const unknownField = check(
      'bad-body.ts',
      usage(`{ description: 'x', priority: 'high' }`, 'return answer.ticket.id;'),
    );
    expect(unknownField.join('\n')).toMatch(/priority/);
    const unknownProperty = check('bad-use.ts', usage(`{ description: 'x' }`, 'return answer.ticket.ownerEmail;'));
    expect(unknownProperty.join('\n')).toMatch(/ownerEmail/);
  });
});
