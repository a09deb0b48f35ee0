// HTTP as the user sees it: the status must be the one expected (any below 400 by default) and, when the
// service says so, the body must contain a text — a 200 carrying an error page is not a healthy answer.
import { TwisterError } from '../../core/errors.ts';
import { redactCredentials } from '../../core/service-declarations.ts';
import type { Probe } from './probe.ts';

/** Bytes of the body searched for the expected text; the rest is not read. */
const BODY_CAP = 1024 * 1024;

function parseTarget(target: string): URL {
  try {
    return new URL(target);
  } catch {
    throw new TwisterError('SERVICE_CHECK_FAILED', `service target "${redactCredentials(target)}" is not a valid URL`);
  }
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** The body's first BODY_CAP bytes as text. */
async function readBody(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    while (size < BODY_CAP) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, BODY_CAP).toString('utf8');
}

export const probeHttp: Probe = async (target, { signal, app, check, progress }) => {
  const url = parseTarget(target);
  const headers: Record<string, string> = {};
  // fetch refuses URLs with user-info: send it as Basic auth instead; the app's credentials win.
  if (app) headers.authorization = basic(app.user, app.password ?? '');
  else if (url.username || url.password)
    headers.authorization = basic(decodeURIComponent(url.username), decodeURIComponent(url.password));
  url.username = '';
  url.password = '';
  const response = await fetch(url, { method: 'GET', redirect: 'manual', headers, signal });
  progress.reachable = true;
  const status = response.status;
  const statusOk = check?.status !== undefined ? status === check.status : status < 400;
  if (!statusOk || check?.body === undefined) {
    await response.body?.cancel().catch(() => undefined);
    const expected = check?.status !== undefined ? `expected ${check.status}` : 'expected below 400';
    return statusOk
      ? { healthy: true, detail: `HTTP ${status}`, statusCode: status }
      : { healthy: false, failure: 'http_status', statusCode: status, detail: `HTTP ${status} (${expected})` };
  }
  const text = await readBody(response.body);
  return text.includes(check.body)
    ? { healthy: true, detail: `HTTP ${status}, body contains the expected text`, statusCode: status }
    : {
        healthy: false,
        failure: 'body_mismatch',
        statusCode: status,
        detail: `HTTP ${status} but the body does not contain ${JSON.stringify(check.body)}`,
      };
};
