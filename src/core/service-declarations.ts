// Parses the configured list of services to health-check (`name=url,…`) and redacts credentials
// from their targets, so neither an error message nor a log line can carry a password.
import { TwisterError } from './errors.ts';
import type { ServiceDeclaration, ServiceKind } from './ports.ts';

const SERVICE_NAME = /^[a-z0-9][a-z0-9_.-]*$/i;
const MAX_NAME_LENGTH = 64;

const KIND_BY_SCHEME: Record<string, ServiceKind> = {
  'http:': 'http',
  'https:': 'http',
  'tcp:': 'tcp',
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'redis:': 'redis',
  'rediss:': 'redis',
};

// Starts only where a scheme can start and is bounded: an unbounded scheme made a long word quadratic to scan.
export const URL_USER_INFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#]{0,4096}@/gi;

/** Replaces the user-info of any URL in the text (`scheme://user:pass@`) with `***`. */
export function redactCredentials(text: string): string {
  return text.replace(URL_USER_INFO, '$1***@');
}

function invalid(index: number, entry: string, why: string): never {
  const shown = redactCredentials(entry);
  throw new TwisterError('CONFIG_INVALID', `service entry ${index + 1} ("${shown}"): ${why}`, { entry: shown });
}

function parseUrl(index: number, entry: string, target: string): URL {
  try {
    return new URL(target);
  } catch {
    return invalid(
      index,
      entry,
      'the target is not a valid URL (expected e.g. http://host:port/path or tcp://host:port)',
    );
  }
}

function toDeclaration(index: number, entry: string): ServiceDeclaration {
  const equals = entry.indexOf('=');
  if (equals < 0) invalid(index, entry, 'expected name=url');
  const name = entry.slice(0, equals).trim();
  const target = entry.slice(equals + 1).trim();
  if (!SERVICE_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    invalid(
      index,
      entry,
      `name "${name}" must start with a letter or digit and use only letters, digits, "_", "." and "-" (at most ${MAX_NAME_LENGTH})`,
    );
  }
  const url = parseUrl(index, entry, target);
  const kind = KIND_BY_SCHEME[url.protocol];
  if (!kind) invalid(index, entry, `unsupported scheme "${url.protocol}" (use http, https, tcp, postgres or redis)`);
  if (!url.hostname) invalid(index, entry, 'the target has no host');
  if (kind !== 'tcp') return { name, kind, target };
  if (!url.port) invalid(index, entry, 'a tcp target needs a port (tcp://host:port)');
  if (url.username || url.password || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    invalid(index, entry, 'a tcp target is only host:port');
  }
  return { name, kind, target: `${url.hostname}:${url.port}` };
}

/**
 * `web=http://127.0.0.1:8080/health,db=postgres://postgres@127.0.0.1:5432/test,ssh=tcp://127.0.0.1:22`.
 * The kind comes from the scheme; a bad entry or a repeated name throws CONFIG_INVALID naming it.
 */
export function parseServiceDeclarations(text: string): ServiceDeclaration[] {
  if (text.trim() === '') return [];
  const services: ServiceDeclaration[] = [];
  const seen = new Set<string>();
  text.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === '') invalid(index, entry, 'the entry is empty');
    const service = toDeclaration(index, entry);
    const key = service.name.toLowerCase();
    if (seen.has(key)) invalid(index, entry, `the name "${service.name}" is declared twice`);
    seen.add(key);
    services.push(service);
  });
  return services;
}

const SCHEME_PORTS: Record<string, number> = {
  http: 80,
  https: 443,
  postgres: 5432,
  postgresql: 5432,
  redis: 6379,
  rediss: 6379,
};

/** Where a declared service listens (host, port, scheme), without the credentials its target may hold. */
export function serviceEndpoint(
  service: ServiceDeclaration,
): { host: string; port: number; scheme: string } | undefined {
  const target = service.kind === 'tcp' ? `tcp://${service.target}` : service.target;
  if (!URL.canParse(target)) return undefined;
  const url = new URL(target);
  const scheme = url.protocol.slice(0, -1);
  const port = url.port ? Number(url.port) : SCHEME_PORTS[scheme];
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return port !== undefined && host ? { host, port, scheme } : undefined;
}
