// Database targets of backups: a declared service of the right kind (its URL, which may hold a password, stays
// in configuration and is looked up again at restore), or a URL given inline, which may not carry a password.
import type { ResolvedTarget } from '../../core/backup.ts';
import { TwisterError } from '../../core/errors.ts';
import type { ServiceDeclaration, ServiceKind } from '../../core/ports.ts';

const SCHEMES: Record<'postgres' | 'redis', RegExp> = { postgres: /^postgres(?:ql)?:\/\//i, redis: /^rediss?:\/\//i };

export interface ServiceTargets {
  /** The canonical target to record (service name or password-free URL), and whether it names a service. */
  resolve(target: string, kind: 'postgres' | 'redis'): ResolvedTarget;
  /** The connection URL for a recorded target (the service's current URL, with its password). */
  url(target: string, source: unknown, kind: 'postgres' | 'redis'): string;
}

export function createServiceTargets(services: () => readonly ServiceDeclaration[]): ServiceTargets {
  const find = (name: string, kind: ServiceKind) => {
    const service = services().find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!service)
      throw new TwisterError('SERVICE_NOT_FOUND', `no service "${name}" is declared`, { service_name: name });
    if (service.kind !== kind)
      throw new TwisterError('VALIDATION_FAILED', `service "${name}" is ${service.kind}, not ${kind}`);
    // Checked through a device tunnel; dumping through one is not supported.
    if (service.deviceId)
      throw new TwisterError(
        'VALIDATION_FAILED',
        `service "${name}" lives on device ${service.deviceId}; back it up from there`,
      );
    return service;
  };
  return {
    resolve: (target, kind) => {
      if (!SCHEMES[kind].test(target)) {
        const service = find(target, kind);
        return { target: service.name, deviceId: 'local', details: { source: 'service' } };
      }
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        throw new TwisterError('VALIDATION_FAILED', `${kind} target is not a valid URL`);
      }
      if (url.password) {
        throw new TwisterError(
          'VALIDATION_FAILED',
          `a ${kind} URL with a password is refused (it would be recorded): declare it in TWISTERLAB_SERVICES and name the service`,
        );
      }
      return { target: url.toString(), deviceId: 'local', details: { source: 'url' } };
    },
    url: (target, source, kind) => (source === 'service' ? find(target, kind).target : target),
  };
}

/** The URL without its password, and the password apart (for PGPASSWORD, never argv). */
export function splitPassword(raw: string): { url: string; password: string | undefined } {
  const url = new URL(raw.replace(/^postgres(?:ql)?\+asyncpg:\/\//i, 'postgresql://'));
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.password = '';
  return { url: url.toString(), password };
}
