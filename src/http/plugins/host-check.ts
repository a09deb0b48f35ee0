// DNS rebinding guard of a keyless instance (every caller is the local admin there): a request must name this
// instance in its Host header — localhost, a loopback address, or TWISTERLAB_ALLOWED_HOSTS and HOST — and a
// browser's Origin, when sent, must be one of those too. A page on another site that rebinds its own name to
// this port sends its own name as Host and is refused. Instances with API keys are left as they are.
import type { FastifyInstance } from 'fastify';
import { TwisterError } from '../../core/errors.ts';
import { hostOfHeader, isOwnHost } from '../../core/host-names.ts';

export interface HostCheckOptions {
  keysConfigured: boolean;
  /** Configured names (normalised), besides localhost and the loopback addresses. */
  allowedHosts: readonly string[];
}

function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? hostOfHeader(url.host) : undefined;
  } catch {
    return undefined;
  }
}

export function registerHostCheck(app: FastifyInstance, options: HostCheckOptions): void {
  if (options.keysConfigured) return;
  const hint =
    'add the name to TWISTERLAB_ALLOWED_HOSTS, or configure TWISTERLAB_API_KEYS to serve beyond this machine';
  // Host headers already found to name this instance: a client sends the same one on every request. Bounded, and
  // only accepted headers are kept, so a stream of foreign names costs the full check each time and no memory.
  const accepted = new Set<string>();
  app.addHook('onRequest', async (request) => {
    const header = request.headers.host;
    if (header === undefined || !accepted.has(header)) {
      const host = hostOfHeader(header);
      if (header === undefined || !host || !isOwnHost(host, options.allowedHosts)) {
        const shown =
          header === undefined || header === '' ? 'no Host header' : `Host ${JSON.stringify(header.slice(0, 300))}`;
        throw new TwisterError(
          'HOST_NOT_ALLOWED',
          `${shown}: this instance has no API keys and answers only to its own names; ${hint}`,
        );
      }
      if (accepted.size >= 64) accepted.clear();
      accepted.add(header);
    }
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const from = originHost(origin);
    if (!from || !isOwnHost(from, options.allowedHosts)) {
      throw new TwisterError(
        'ORIGIN_NOT_ALLOWED',
        `Origin ${JSON.stringify(origin.slice(0, 300))}: this instance has no API keys and takes requests only from pages of its own names; ${hint}`,
      );
    }
  });
}
