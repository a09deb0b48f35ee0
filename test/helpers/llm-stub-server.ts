// A small HTTP server on loopback that speaks Ollama's and the OpenAI-compatible API with recorded answers,
// so the LLM adapters are tested over real HTTP without a model.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded answer: the model's message content, an HTTP error, or a delay before answering. */
export type Recorded = { content: string; delayMs?: number } | { status: number };

export interface LlmStub {
  url: string;
  /** Answers served in order; the last one repeats. */
  answers: Recorded[];
  models: string[];
  requests: Array<{ path: string; body: any }>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

export async function startLlmStub(models: string[] = ['mistral:latest']): Promise<LlmStub> {
  const stub = { answers: [] as Recorded[], models, requests: [] as Array<{ path: string; body: any }> };
  let served = 0;
  const server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    const body = await readBody(req);
    stub.requests.push({ path, body });
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    if (path === '/api/tags') return send(200, { models: stub.models.map((name) => ({ name, model: name })) });
    if (path === '/v1/models')
      return send(200, { object: 'list', data: stub.models.map((id) => ({ id, object: 'model' })) });
    const answer = stub.answers[Math.min(served, stub.answers.length - 1)];
    served += 1;
    if (!answer) return send(500, { error: 'no recorded answer' });
    if ('status' in answer) return send(answer.status, { error: 'recorded failure' });
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (res.destroyed) return undefined;
    if (path === '/api/chat')
      return send(200, { model: body.model, message: { role: 'assistant', content: answer.content }, done: true });
    if (path === '/v1/chat/completions')
      return send(200, { choices: [{ index: 0, message: { role: 'assistant', content: answer.content } }] });
    return send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
