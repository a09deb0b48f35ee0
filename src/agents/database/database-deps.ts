// What the database agent needs: the declared services, one timeout for connecting and for each statement,
// and how a service is reached (directly, or through its SSH device). Services are found by name and kind.
import { TwisterError } from '../../core/errors.ts';
import type { ServiceDeclaration } from '../../core/ports.ts';

export type DatabaseKind = 'postgres' | 'redis';

/** Gives `use` a connection target for the service: its own URL, or a tunnel's while `use` runs. */
export interface ServiceReach {
  withTarget<T>(service: ServiceDeclaration, signal: AbortSignal, use: (target: string) => Promise<T>): Promise<T>;
}

export interface DatabaseDeps {
  services: readonly ServiceDeclaration[];
  /** Connect timeout, and statement_timeout / command timeout of every query. */
  timeoutMs: number;
  /** Services declared on SSH devices need one; without it only directly reachable services work. */
  reach?: ServiceReach;
}

export const directReach: ServiceReach = {
  withTarget: (service, _signal, use) => use(service.target),
};

/** The declared service of that name and kind: SERVICE_NOT_FOUND, or VALIDATION_FAILED for another kind. */
export function findService(
  services: readonly ServiceDeclaration[],
  name: string,
  kind: DatabaseKind,
): ServiceDeclaration {
  const service = services.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!service) {
    throw new TwisterError('SERVICE_NOT_FOUND', `no service named "${name}" is declared`, {
      service_name: name,
      known: services.filter((s) => s.kind === kind).map((s) => s.name),
    });
  }
  if (service.kind !== kind) {
    throw new TwisterError('VALIDATION_FAILED', `service "${service.name}" is a ${service.kind} service, not ${kind}`, {
      service_name: service.name,
      kind: service.kind,
      expected: kind,
    });
  }
  return service;
}

/** Runs `use` with a target for the named service of that kind, reached as the deps say. */
export function withService<T>(
  deps: DatabaseDeps,
  name: string,
  kind: DatabaseKind,
  signal: AbortSignal,
  use: (target: string, service: ServiceDeclaration) => Promise<T>,
): Promise<T> {
  const service = findService(deps.services, name, kind);
  if (service.deviceId && !deps.reach) {
    throw new TwisterError(
      'VALIDATION_FAILED',
      `service "${service.name}" lives on device ${service.deviceId}, which this process cannot reach`,
      { service_name: service.name },
    );
  }
  return (deps.reach ?? directReach).withTarget(service, signal, (target) => use(target, service));
}
