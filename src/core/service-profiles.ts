// Services described for runbooks: where each one runs, how to restart it, where its logs and configuration
// live. Read from TWISTERLAB_SERVICES_FILE (YAML or JSON); each entry is also a declared service (health checks).
// The restart command is an argv string run on the service's device through that device's allow-list, like
// every other command: naming it here does not allow it.
import { z } from 'zod';
import { TwisterError } from './errors.ts';
import type { ServiceDeclaration, ServiceKind } from './ports.ts';
import { parseServiceDeclarations, redactCredentials, serviceEndpoint } from './service-declarations.ts';
import { CATEGORIES, type Category } from './ticket.ts';

const absolute = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => p.startsWith('/'), 'must be an absolute path');

/** A secret is named (an environment variable or an absolute file), never written in the services file. */
const secretReference = z.union(
  [
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name') }),
    z.strictObject({ file: absolute }),
  ],
  { error: 'must be { env: NAME } or { file: /absolute/path }: a password is never written here' },
);

const appSchema = z.strictObject({
  user: z.string().min(1).max(128),
  password: secretReference.optional(),
  database: z.string().min(1).max(128).optional(),
});

// One statement only: the query runs in a read-only transaction that a second statement could end.
const checkSchema = z.strictObject({
  status: z.number().int().min(100).max(599).optional(),
  body: z.string().min(1).max(1024).optional(),
  query: z
    .string()
    .trim()
    .min(1)
    .max(4096)
    .refine((q) => !q.replace(/;\s*$/, '').includes(';'), 'must be a single statement (no ";")')
    .optional(),
  timeoutMs: z.number().int().min(50).max(600_000).optional(),
});

const profileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, 'letters, digits, "_", "." and "-" (at most 64)'),
  url: z.string().min(1).max(2048),
  device: z.string().min(1).max(128).optional(),
  category: z.enum(CATEGORIES).optional(),
  restart: z.string().min(1).max(1024).optional(),
  logDir: absolute.optional(),
  configDir: absolute.optional(),
  baselineDir: absolute.optional(),
  page: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .refine((u) => !new URL(u).username && !new URL(u).password, 'must not carry credentials')
    .optional(),
  app: appSchema.optional(),
  check: checkSchema.optional(),
  /** Other names people use for it ("crm", "sales app"): a ticket naming one names the service. */
  aliases: z.array(z.string().trim().min(2).max(64)).max(20).optional(),
  /** Free words on what it is ("inventory screens and stock levels"): a ticket sharing two of them may mean it. */
  description: z.string().trim().min(1).max(500).optional(),
});

const fileSchema = z.strictObject({ services: z.array(profileSchema).max(1000) });

export interface ServiceProfile {
  declaration: ServiceDeclaration;
  category?: Category;
  aliases?: string[];
  description?: string;
  /** What runbook templates read as `{{service.…}}`: never the URL, which may hold credentials. */
  facts: {
    name: string;
    kind: string;
    device: string;
    host?: string;
    port?: number;
    scheme?: string;
    restart?: string;
    logDir?: string;
    configDir?: string;
    baselineDir?: string;
    page?: string;
  };
}

/** `app` and `check` go to the declaration (the checker reads them), never to the facts runbooks see. */
function checkedAs(
  p: z.output<typeof profileSchema>,
  kind: ServiceKind,
  source: string,
): Pick<ServiceDeclaration, 'app' | 'check'> {
  const misplaced =
    (kind !== 'http' &&
      (p.check?.status !== undefined || p.check?.body !== undefined) &&
      'check.status/check.body are for http services') ||
    (kind !== 'postgres' &&
      (p.check?.query !== undefined || p.check?.timeoutMs !== undefined) &&
      'check.query/check.timeoutMs are for postgres services') ||
    (kind === 'tcp' && p.app && 'app is not used by tcp services') ||
    (kind !== 'postgres' && p.app?.database !== undefined && 'app.database is for postgres services');
  if (misplaced) throw new TwisterError('CONFIG_INVALID', `${source}, service ${p.name}: ${misplaced}`);
  return { ...(p.app ? { app: p.app } : {}), ...(p.check ? { check: p.check } : {}) };
}

export function parseServiceProfiles(doc: unknown, source: string): ServiceProfile[] {
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const index = typeof issue.path[1] === 'number' ? issue.path[1] : undefined;
    const name =
      index !== undefined ? (doc as { services?: Array<{ name?: unknown }> }).services?.[index]?.name : undefined;
    const where = [
      source,
      index !== undefined ? `service ${index + 1}${typeof name === 'string' ? ` (${name})` : ''}` : undefined,
      issue.path.slice(2).join('.') || undefined,
    ]
      .filter(Boolean)
      .join(', ');
    throw new TwisterError('CONFIG_INVALID', `${where}: ${redactCredentials(issue.message)}`);
  }
  const seen = new Set<string>();
  const names = new Set(parsed.data.services.map((p) => p.name.toLowerCase()));
  return parsed.data.services.map((p) => {
    const clash = p.aliases?.find((a) => names.has(a.toLowerCase()) && a.toLowerCase() !== p.name.toLowerCase());
    if (clash)
      throw new TwisterError(
        'CONFIG_INVALID',
        `${source}, service ${p.name}: alias "${clash}" is the name of another service`,
      );
    if (seen.has(p.name.toLowerCase()))
      throw new TwisterError('CONFIG_INVALID', `${source}: service "${p.name}" is declared twice`);
    seen.add(p.name.toLowerCase());
    if ((p.configDir === undefined) !== (p.baselineDir === undefined)) {
      throw new TwisterError('CONFIG_INVALID', `${source}, service ${p.name}: configDir and baselineDir go together`);
    }
    let declaration: ServiceDeclaration;
    try {
      [declaration] = parseServiceDeclarations(`${p.name}=${p.url}`) as [ServiceDeclaration];
    } catch (error) {
      throw new TwisterError('CONFIG_INVALID', `${source}, service ${p.name}: ${(error as Error).message}`);
    }
    const device = p.device ?? 'local';
    const { name, restart, logDir, configDir, baselineDir, page, aliases, description } = p;
    return {
      declaration: {
        ...declaration,
        ...(device !== 'local' ? { deviceId: device } : {}),
        ...checkedAs(p, declaration.kind, source),
      },
      ...(p.category ? { category: p.category } : {}),
      ...(aliases ? { aliases } : {}),
      ...(description ? { description } : {}),
      facts: {
        name,
        kind: declaration.kind,
        device,
        ...serviceEndpoint(declaration),
        ...(restart ? { restart } : {}),
        ...(logDir ? { logDir } : {}),
        ...(configDir ? { configDir } : {}),
        ...(baselineDir ? { baselineDir } : {}),
        ...(page ? { page } : {}),
      },
    };
  });
}
