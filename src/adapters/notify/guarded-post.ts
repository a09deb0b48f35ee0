// POSTs a body to a configured URL through the outbound guard: the host's addresses are judged (internal ones
// only when the allow-list opens them) and the connection goes to exactly the addresses that passed, so a name
// cannot resolve to something else between the check and the request. Redirects are not followed.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { createRequestGuard, type Resolve } from '../browser/request-guard.ts';
import type { NetworkAllowList } from '../../core/network-guard.ts';
import { DeliveryError } from './channel.ts';

export interface PostOptions {
  allow: NetworkAllowList;
  timeoutMs: number;
  resolve?: Resolve;
}

export interface PostResult {
  status: number;
  body: string;
}

export async function guardedPost(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<PostResult> {
  const guard = createRequestGuard({ allow: options.allow, ...(options.resolve ? { resolve: options.resolve } : {}) });
  const verdict = await guard.check(rawUrl);
  if (!verdict.ok) throw new DeliveryError(`refused by the outbound guard: ${verdict.reason}`, !verdict.unresolved);
  const address = verdict.addresses[0]!;
  const family = address.includes(':') ? 6 : 4;
  const lookup: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all)
      (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
        { address, family },
      ]);
    else callback(null, address, family);
  };
  const client = verdict.url.protocol === 'https:' ? https : http;
  return await new Promise<PostResult>((resolve, reject) => {
    const request = client.request(
      verdict.url,
      {
        method: 'POST',
        lookup,
        timeout: options.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'TwisterLab-Notify',
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 16_384) chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 16_384) }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new DeliveryError(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', (error) =>
      reject(
        error instanceof DeliveryError
          ? error
          : new DeliveryError(`${(error as NodeJS.ErrnoException).code ?? 'ERROR'}: ${error.message}`),
      ),
    );
    request.end(body);
  });
}

/** A 2xx passes; 408, 425, 429 and 5xx are worth another try; any other answer is permanent. */
export function expectSuccess(result: PostResult, what: string): void {
  if (result.status >= 200 && result.status < 300) return;
  const retry = result.status === 408 || result.status === 425 || result.status === 429 || result.status >= 500;
  throw new DeliveryError(`${what} answered HTTP ${result.status}: ${result.body.slice(0, 200)}`, !retry);
}
