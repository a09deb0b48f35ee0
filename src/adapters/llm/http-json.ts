// One JSON request to an LLM server with fetch: non-2xx answers and bodies that are not JSON become errors
// whose message carries the status but never the server's body (it may echo the prompt).
export async function requestJson(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal },
): Promise<unknown> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${url.replace(/\/\/[^/@]*@/, '//')} answered HTTP ${response.status}`);
  }
  return (await response.json()) as unknown;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
