// One HTTP(S) exchange for the browser, made from Node and connected to an address the guard already checked:
// the name is never resolved a second time (no DNS rebinding between check and fetch), redirects are not
// followed here (each hop is checked again by the caller), and bodies are capped.
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import zlib from 'node:zlib';

export interface PinnedRequest {
  url: URL;
  /** The checked address to connect to. */
  address: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | null;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

export interface PinnedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

// Hop-by-hop and framing headers are ours to set; cookies and the rest pass as the page sent them.
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'accept-encoding',
  'content-length',
]);
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-length',
  'trailer',
  'upgrade',
  'proxy-authenticate',
]);

function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address);
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
}

function decode(body: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const options = { maxOutputLength: maxBytes };
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body, options);
    case 'deflate':
      return zlib.inflateSync(body, options);
    case 'br':
      return zlib.brotliDecompressSync(body, options);
    default:
      return body;
  }
}

function responseHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(name === 'set-cookie' ? '\n' : ', ') : value;
  }
  return headers;
}

export function pinnedFetch(request: PinnedRequest): Promise<PinnedResponse> {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => !DROPPED_REQUEST_HEADERS.has(name.toLowerCase())),
  );
  const client = request.url.protocol === 'https:' ? https : http;
  return new Promise<PinnedResponse>((resolve, reject) => {
    const req = client.request(
      request.url,
      {
        method: request.method,
        headers: { ...headers, 'accept-encoding': 'gzip, deflate, br' },
        lookup: pinnedLookup(request.address),
        timeout: request.timeoutMs,
        agent: false,
        ...(request.signal ? { signal: request.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxBytes) req.destroy(new Error(`the response is larger than ${request.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 502,
              headers: responseHeaders(res.headers),
              body: decode(Buffer.concat(chunks), res.headers['content-encoding'], request.maxBytes),
            });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error(`no answer within ${request.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
    req.end(request.body ?? undefined);
  });
}
