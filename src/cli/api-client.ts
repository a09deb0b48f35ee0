// The CLI's HTTP client for a running TwisterLab: JSON calls and a server-sent events reader.
export interface ApiClientOptions {
  baseUrl: string;
  apiKey?: string;
  apiKeyHeader: string;
}

export interface SseMessage {
  event: string;
  data: unknown;
}

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.options.apiKey ? { [this.options.apiKeyHeader]: this.options.apiKey } : {}), ...extra };
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(new URL(path, this.options.baseUrl), init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new Error(
        `cannot reach TwisterLab at ${this.options.baseUrl} (${(error as Error).cause ?? (error as Error).message}); start it with \`twisterlab serve\` or set TWISTERLAB_URL`,
        { cause: error },
      );
    }
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.send(path, {
      method,
      headers: this.headers(body === undefined ? headers : { 'content-type': 'application/json', ...headers }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; requestId?: string } } | undefined)?.error;
      const id = error?.requestId ? ` (request id ${error.requestId})` : '';
      throw new Error(`${response.status} ${error?.code ?? ''}: ${error?.message ?? text}${id}`.trim());
    }
    return parsed as T;
  }

  /** Yields server-sent events until the server closes the stream. */
  async *events(path: string, signal?: AbortSignal): AsyncGenerator<SseMessage> {
    const response = await this.send(path, {
      headers: this.headers({ accept: 'text/event-stream' }),
      ...(signal ? { signal } : {}),
    });
    if (!response.ok || !response.body) throw new Error(`${response.status}: cannot follow ${path}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message = parseBlock(block);
        if (message) yield message;
      }
    }
  }
}

export function parseBlock(block: string): SseMessage | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (data.length === 0) return undefined;
  return { event, data: JSON.parse(data.join('\n')) as unknown };
}
