// Every form of the secret corpus, each submitted as its own ticket through the HTTP app, never comes back out:
// not from GET /api/v1/tickets/:id (any field), not from GET /api/v1/audit, not in a log line, and not in a
// request to the model. Ordinary tickets about passwords and tokens are stored as written and still classified.
// A command whose argv holds a secret leaves an audit row without it.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmStub, type LlmStub } from '../helpers/llm-stub-server.ts';
import { BENIGN_TEXTS, secretForms } from '../helpers/secret-corpus.ts';
import { redactSecrets } from '../../src/core/redaction.ts';
import { createLogger } from '../../src/main/runtime.ts';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

const forms = secretForms(7_205);
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});
const commandSecret = 'Cmd-S3cret-x9q';

let t: TestRuntime;
let stub: LlmStub;
const ticketIds = new Map<string, string>();

const analysis = JSON.stringify({
  category: 'access',
  priority: 'medium',
  sentiment: 'negative',
  urgency: 'normal',
  summary: 'A user cannot sign in.',
  confidence: 0.9,
  injection_suspected: false,
});

async function submit(description: string): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    payload: { description, dryRun: true },
  });
  expect(response.statusCode, response.body).toBe(202);
  return response.json().ticket.id as string;
}

async function allAudit(): Promise<string> {
  const pages: string[] = [];
  let before: number | null = null;
  do {
    const response: { body: string; json(): { nextBeforeId: number | null } } = await t.app.inject({
      method: 'GET',
      url: `/api/v1/audit?limit=500${before ? `&beforeId=${before}` : ''}`,
    });
    pages.push(response.body);
    before = response.json().nextBeforeId;
  } while (before !== null);
  return pages.join('\n');
}

beforeAll(async () => {
  stub = await startLlmStub(['mistral:latest']);
  stub.answers = [{ content: analysis }];
  t = await startTestRuntime(
    'pglite',
    {
      LOG_LEVEL: 'debug',
      OLLAMA_BASE_URL: stub.url,
      OLLAMA_MODEL: 'mistral',
      TWISTERLAB_LOCAL_ALLOW: 'echo --password /^.+$/',
    },
    {},
    logSink,
  );
  const submitted = await Promise.all(forms.map(async (form) => [form.name, await submit(form.text)] as const));
  for (const [name, id] of submitted) ticketIds.set(name, id);
  for (const id of ticketIds.values()) await waitForTicket(t.app, id, 60_000);
}, 300_000);

afterAll(async () => {
  await t?.close();
  await stub?.close();
});

describe('a secret submitted in a ticket', () => {
  it.each(forms.map((f) => [f.name, f] as const))(
    '%s: not in the ticket, its audit trail or the ticket list',
    async (_name, form) => {
      const id = ticketIds.get(form.name)!;
      const detail = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}` });
      expect(detail.statusCode).toBe(200);
      expect(detail.body).not.toContain(form.secret);
      expect(detail.json().ticket.analysis.flags ?? []).toContain('secrets_redacted');
      const audit = await t.app.inject({ method: 'GET', url: `/api/v1/audit?ticketId=${id}&limit=500` });
      expect(audit.json().items.length).toBeGreaterThan(0);
      expect(audit.body).not.toContain(form.secret);
    },
  );

  it('reaches neither the whole audit trail, nor a log line, nor a request to the model', async () => {
    // The runtime logs little about a ticket, so each text is also logged the ways code does (message, field,
    // error) through a logger built exactly as the runtime builds its own.
    const logger = createLogger({ logLevel: 'debug' }, logSink);
    for (const form of forms) {
      logger.info({ ticket: { description: form.text }, argv: form.text.split(' ') }, `ticket text: ${form.text}`);
      logger.error({ err: new Error(`could not run: ${form.text}`) }, 'step failed');
    }
    const audit = await allAudit();
    const logs = logLines.join('');
    const prompts = JSON.stringify(stub.requests.map((r) => r.body));
    expect(logs).toContain('[REDACTED]');
    // Texts that redact to the same words make the same prompt: the second may be answered from the answer cache.
    const distinctPrompts = new Set(forms.map((f) => redactSecrets(f.text))).size;
    expect(stub.requests.filter((r) => r.path === '/api/chat').length).toBeGreaterThanOrEqual(distinctPrompts);
    expect(prompts).toContain('[REDACTED]');
    for (const form of forms) {
      expect(audit, `audit: ${form.name}`).not.toContain(form.secret);
      expect(logs, `logs: ${form.name}`).not.toContain(form.secret);
      expect(prompts, `model: ${form.name}`).not.toContain(form.secret);
    }
  });

  it('given as credentials in context.url, is not stored and the redaction is audited', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      payload: {
        description: 'The intranet status page answers 500.',
        context: { url: 'https://ops:Url-S3cret9@intranet.example.org/status' },
        dryRun: true,
      },
    });
    expect(response.statusCode).toBe(202);
    expect(response.body).not.toContain('Url-S3cret9');
    const id = response.json().ticket.id;
    const detail = await waitForTicket(t.app, id, 60_000);
    expect(detail.ticket.context.url).toBe('https://***@intranet.example.org/status');
    expect(JSON.stringify(detail)).not.toContain('Url-S3cret9');
    const audit = (
      await t.app.inject({ method: 'GET', url: `/api/v1/audit?ticketId=${id}&action=ticket.redacted` })
    ).json();
    expect(audit.items[0].details).toMatchObject({ redacted: 1, contextFields: 1 });
  });
});

describe('ordinary tickets about passwords and tokens', () => {
  it('are stored as written, not flagged, and still analysed', async () => {
    stub.answers = [{ status: 500 }];
    const ids = await Promise.all(BENIGN_TEXTS.map(submit));
    for (const [index, id] of ids.entries()) {
      const { ticket } = await waitForTicket(t.app, id, 60_000);
      expect(ticket.description).toBe(BENIGN_TEXTS[index]);
      expect(ticket.analysis?.flags ?? []).not.toContain('secrets_redacted');
      expect(ticket.analysis?.path).toBe('rules');
      expect(ticket.category).not.toBeNull();
    }
    const categories = new Set(
      (await Promise.all(ids.map((id) => waitForTicket(t.app, id)))).map((d) => d.ticket.category),
    );
    expect(categories.size).toBeGreaterThan(2);
  });
});

describe('a command whose argv holds a secret', () => {
  it('runs, and neither its answer, its audit row nor the logs keep the secret', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/mcp/commander.execute_command',
      payload: { device_id: 'local', command: `echo --password ${commandSecret}` },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).not.toContain(commandSecret);
    const audit = (await t.app.inject({ method: 'GET', url: '/api/v1/audit?action=command.executed' })).json();
    expect(audit.items[0].details.argv).toEqual(['echo', '--password', '[REDACTED]']);
    expect(JSON.stringify(audit)).not.toContain(commandSecret);
    expect(logLines.join('')).not.toContain(commandSecret);
  });

  it('is refused, and the refusal row does not keep the secret either', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/mcp/commander.execute_command',
      payload: { device_id: 'local', command: `sshpass -p ${commandSecret} ssh web01` },
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).not.toContain(commandSecret);
    const audit = await allAudit();
    expect(audit).toContain('command.refused');
    expect(audit).not.toContain(commandSecret);
    expect(logLines.join('')).not.toContain(commandSecret);
  });
});
