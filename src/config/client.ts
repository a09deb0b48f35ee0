// What the CLI needs as a client of a running API, and nothing of the server's configuration: where the API is
// and which key to send. The server section reuses these fields (src/config.ts).
import { z } from 'zod';
import { int, readSection, secret, v } from './fields.ts';

export const hostField = v('HOST', z.string().min(1).default('127.0.0.1'));
export const portField = v('PORT', int(0, 65535).default(8000));
export const apiKeyHeaderField = v(
  'API_KEY_HEADER',
  z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
    .default('X-API-Key')
    .transform((name) => name.toLowerCase()),
);

/** The API's address: TWISTERLAB_URL, or where a local `twisterlab serve` listens (HOST and PORT). */
export function apiUrl(url: string | undefined, host: string, port: number): string {
  return url ?? `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

export const clientSection = z
  .object({
    host: hostField,
    port: portField,
    url: v('TWISTERLAB_URL', z.url().optional()),
    /** The key the CLI sends (TWISTERLAB_API_KEY or TWISTERLAB_API_KEY_FILE). */
    apiKey: secret('TWISTERLAB_API_KEY', z.string().optional()),
    apiKeyHeader: apiKeyHeaderField,
  })
  .transform((c) => ({ apiUrl: apiUrl(c.url, c.host, c.port), apiKey: c.apiKey, apiKeyHeader: c.apiKeyHeader }));

export type ClientConfig = z.output<typeof clientSection>;

export function loadClientConfig(env: NodeJS.ProcessEnv): Readonly<ClientConfig> {
  return Object.freeze(readSection(clientSection, env));
}
