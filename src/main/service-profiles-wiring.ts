// Declared services from TWISTERLAB_SERVICES and TWISTERLAB_SERVICES_FILE, and what the planner reads about
// them: the category a service's tickets belong to, and its facts for runbook templates (`{{service.…}}`).
import { loadServicesFile } from '../adapters/services-file.ts';
import type { ServiceProfile } from '../core/service-profiles.ts';
import type { Config } from '../config.ts';
import { TwisterError } from '../core/errors.ts';
import type { ServiceDeclaration } from '../core/ports.ts';
import type { ServiceProfileView } from '../core/context-extractor.ts';
import { parseServiceDeclarations, serviceEndpoint } from '../core/service-declarations.ts';
import type { Category } from '../core/ticket.ts';

const KIND_CATEGORY = { http: 'application', tcp: 'network', postgres: 'database', redis: 'database' } as const;

export interface ServiceProfiles {
  /** Services declared in configuration (devices add theirs at wiring). */
  declared: ServiceDeclaration[];
  category(name: string, all: readonly ServiceDeclaration[]): Category | undefined;
  /** Name, kind and device of any declared service, plus what the services file and baselines say of it. */
  facts(name: string, all: readonly ServiceDeclaration[]): Record<string, unknown> | undefined;
  /** What the ticket analysis matches a ticket's words against: names, aliases, descriptions, endpoints. */
  views(all: readonly ServiceDeclaration[]): ServiceProfileView[];
}

/** A password named by an environment variable that is not set stops the start, naming both (files are read at check time). */
function requireSecretVariables(profiles: readonly ServiceProfile[], env: Config['secretEnv']): void {
  for (const {
    declaration: { name, app },
  } of profiles) {
    const ref = app?.password;
    if (ref && 'env' in ref && env(ref.env) === undefined) {
      throw new TwisterError(
        'CONFIG_INVALID',
        `TWISTERLAB_SERVICES_FILE, service ${name}: app.password names the environment variable ${ref.env}, which is not set`,
      );
    }
  }
}

export function wireServiceProfiles(
  config: Pick<Config, 'services' | 'servicesFile' | 'configBaselines' | 'secretEnv'>,
): ServiceProfiles {
  const fromEnv = config.services ? parseServiceDeclarations(config.services) : [];
  const profiles = config.servicesFile ? loadServicesFile(config.servicesFile) : [];
  requireSecretVariables(profiles, config.secretEnv);
  const envNames = new Set(fromEnv.map((s) => s.name.toLowerCase()));
  const twice = profiles.find((p) => envNames.has(p.declaration.name.toLowerCase()));
  if (twice)
    throw new TwisterError(
      'CONFIG_INVALID',
      `service "${twice.declaration.name}" is declared in both TWISTERLAB_SERVICES and TWISTERLAB_SERVICES_FILE`,
    );
  const byName = new Map(profiles.map((p) => [p.declaration.name, p]));
  return {
    declared: [...fromEnv, ...profiles.map((p) => p.declaration)],
    category: (name, all) => {
      const profile = byName.get(name);
      if (profile?.category) return profile.category;
      const kind = all.find((s) => s.name === name)?.kind;
      return kind ? KIND_CATEGORY[kind] : undefined;
    },
    facts: (name, all) => {
      const declared = all.find((s) => s.name === name);
      const profile = byName.get(name)?.facts;
      const baseline = config.configBaselines[name];
      if (!declared && !profile && !baseline) return undefined;
      const base = declared
        ? { name, kind: declared.kind, device: declared.deviceId ?? 'local', ...serviceEndpoint(declared) }
        : {};
      return { ...base, ...baseline, ...profile };
    },
    views: (all) =>
      all.map((declared) => {
        const profile = byName.get(declared.name);
        return {
          name: declared.name,
          ...serviceEndpoint(declared),
          ...(profile?.aliases ? { aliases: profile.aliases } : {}),
          ...(profile?.description ? { description: profile.description } : {}),
        };
      }),
  };
}
