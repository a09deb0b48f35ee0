// The configuration: one zod schema in sections, each field next to the environment variable it is read from,
// and every type inferred from it. The environment is read once here, validated, frozen, and a problem stops
// the start naming its variable. Secrets may come from files (`<VARIABLE>_FILE`, see config/fields.ts).
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { ROLES, type Role } from './core/access.ts';
import { parseHostName } from './core/host-names.ts';
import { parseNetworkAllowList } from './core/network-guard.ts';
import { apiKeyHeaderField, apiUrl, hostField, portField } from './config/client.ts';
import {
  bool,
  configError,
  int,
  parsedBy,
  readSection,
  readVariable,
  secret,
  v,
  variablesOf,
} from './config/fields.ts';

export { loadClientConfig, type ClientConfig } from './config/client.ts';

export type ApiRole = Role;

export interface ApiKeyConfig {
  name: string;
  role: ApiRole;
  /** sha256 of the key, hex. Keys are never kept in clear after parsing. */
  sha256: string;
}

const optionalText = () => z.string().optional();
const resolvedPath = () =>
  z
    .string()
    .min(1)
    .optional()
    .transform((p) => (p === undefined ? undefined : path.resolve(p)));
const allowList = () => parsedBy((text) => parseNetworkAllowList(text));

// ── The process: where it listens, what it logs, where it keeps data ──────────────────────────────────────────
const server = {
  host: hostField,
  port: portField,
  logLevel: v('LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  dataDir: v(
    'TWISTERLAB_DATA_DIR',
    z
      .string()
      .min(1)
      .default('./data')
      .transform((p) => path.resolve(p)),
  ),
  bodyLimit: v('TWISTERLAB_BODY_LIMIT', int(1024, 50 * 1024 * 1024).default(256 * 1024)),
  /**
   * Names a keyless instance answers to besides its loopback names (and HOST): a request with any other Host
   * header is refused, so a page cannot rebind its own name to this port. HOST is added when the config is read.
   */
  allowedHosts: v('TWISTERLAB_ALLOWED_HOSTS', parsedBy(parseAllowedHosts)),
};

// ── The store ─────────────────────────────────────────────────────────────────────────────────────────────────
const store = {
  databaseUrl: secret(
    'DATABASE_URL',
    z
      .string()
      .regex(/^postgres(ql)?(\+asyncpg)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
  ),
  databasePoolSize: v('DATABASE_POOL_SIZE', int(1, 100).default(10)),
  /** How long a write waits for PostgreSQL to come back before the ticket goes back to the queue. */
  storeWaitMs: v('TWISTERLAB_STORE_WAIT_MS', int(0, 600_000).default(30_000)),
  /** How long opening a PostgreSQL connection (or waiting for a free one) may take before STORE_UNAVAILABLE. */
  databaseConnectTimeoutMs: v('DATABASE_CONNECT_TIMEOUT_MS', int(100, 120_000).default(3_000)),
};

// ── Who may call: API keys (hashed when the config is read), the header, the stdio role ───────────────────────
const access = {
  /** `name:role:key` or `name:role:sha256:<hex>`, comma-separated. */
  apiKeys: secret('TWISTERLAB_API_KEYS', optionalText()),
  apiKeyHeader: apiKeyHeaderField,
  /** The role of `twisterlab mcp` (stdio), whose caller is whoever can start the process. */
  mcpStdioRole: v('TWISTERLAB_MCP_STDIO_ROLE', z.enum(ROLES).default('operator')),
  /**
   * MCP sessions over HTTP: open at once per key and overall (at a bound the oldest idle one, of the same key
   * first, is closed to make room), and the idle time after which a session is closed.
   */
  mcpSessionsPerKey: v('TWISTERLAB_MCP_SESSIONS_PER_KEY', int(1, 10_000).default(20)),
  mcpMaxSessions: v('TWISTERLAB_MCP_MAX_SESSIONS', int(1, 100_000).default(1_000)),
  mcpSessionIdleMs: v('TWISTERLAB_MCP_SESSION_IDLE_MS', int(100, 24 * 3_600_000).default(15 * 60_000)),
};

// ── The CLI as a client: where the API is and which key to send (config/client.ts has the same fields) ───────
const client = {
  url: v('TWISTERLAB_URL', z.url().optional()),
  apiKey: secret('TWISTERLAB_API_KEY', optionalText()),
};

// ── Tickets: intake, processing, waiting for people ──────────────────────────────────────────────────────────
const tickets = {
  /** Tickets this process works on at once (its processing budget, apart from intake). */
  concurrency: v('TWISTERLAB_CONCURRENCY', int(1, 256).default(8)),
  /**
   * Admission time (ms, 90th percentile over 100 ms) above which fewer tickets are processed at once, down to one,
   * so that intake stays fast while tickets pour in; 0 keeps `concurrency` whatever intake does (in-process queue).
   */
  intakeTargetMs: v('TWISTERLAB_INTAKE_TARGET_MS', int(0, 60_000).default(5)),
  /**
   * Tickets queued or running (not yet settled) past which intake answers BACKLOG_FULL (429) with Retry-After
   * `retryAfterSeconds`, storing nothing; it bounds the work held in memory.
   */
  backlog: z.object({
    limit: v('TWISTERLAB_BACKLOG_LIMIT', int(1, 1_000_000).default(1_000)),
    retryAfterSeconds: v('TWISTERLAB_BACKLOG_RETRY_AFTER_S', int(1, 3_600).default(2)),
  }),
  recoverOnStart: v('TWISTERLAB_RECOVER_ON_START', bool.default(true)),
  /** Retries of a step that failed with a retryable error (read-only or idempotent capabilities only), and the first backoff. */
  stepRetries: v('TWISTERLAB_STEP_RETRIES', int(0, 10).default(2)),
  stepRetryBaseMs: v('TWISTERLAB_STEP_RETRY_BASE_MS', int(1, 60_000).default(250)),
  /** How long a process's claim on a ticket lasts unless renewed: a crashed holder's tickets are taken up after it. */
  leaseMs: v('TWISTERLAB_LEASE_MS', int(200, 600_000).default(15_000)),
  /** How long a step needing approval waits before its ticket is escalated. */
  approvalTtlMs: v('TWISTERLAB_APPROVAL_TTL_MS', int(1_000, 30 * 24 * 3_600_000).default(3_600_000)),
  /** How long a ticket where no fault was found waits for its requester before a human gets it. */
  noFaultTtlMs: v('TWISTERLAB_NO_FAULT_TTL_MS', int(1_000, 90 * 24 * 3_600_000).default(72 * 3_600_000)),
  /**
   * When a `change` step runs unattended: `backup-and-verify` (a backup before it, or a stated reason there is
   * nothing to back up, and a verification after), `verify` (a verification after), `approve` (never).
   */
  changePolicy: v(
    'TWISTERLAB_CHANGE_POLICY',
    z.enum(['backup-and-verify', 'verify', 'approve']).default('backup-and-verify'),
  ),
};

// ── What the platform acts on: services, devices, runbooks, and the limits of acting ─────────────────────────
const targets = {
  /** Raw declarations; parsed by the service-declaration parser at wiring time. */
  services: v('TWISTERLAB_SERVICES', optionalText()),
  /** Services with what runbooks need to act on them (device, restart command, log and config directories). */
  servicesFile: v('TWISTERLAB_SERVICES_FILE', resolvedPath()),
  /** YAML or JSON inventory of SSH devices, read at start. */
  devicesFile: v('TWISTERLAB_DEVICES_FILE', resolvedPath()),
  /** A directory of the user's runbooks (YAML or JSON), added to the built-in ones. */
  runbooksDir: v('TWISTERLAB_RUNBOOKS_DIR', resolvedPath()),
  /** Team routing rules (YAML or JSON); without one, the built-in routing. */
  routingFile: v('TWISTERLAB_ROUTING_FILE', resolvedPath()),
  /** Helpdesk webhook sources (YAML or JSON): where each one's fields are in its body, and its signing secret. */
  webhookSourcesFile: v('TWISTERLAB_WEBHOOK_SOURCES_FILE', resolvedPath()),
  /** Alertmanager label mapping (YAML or JSON): which labels name service, host and severity, severity → priority. */
  alertmanagerMappingFile: v('TWISTERLAB_ALERTMANAGER_MAPPING_FILE', resolvedPath()),
  /** Extra allow-list rules for the local device, one per `;`. */
  localAllow: v(
    'TWISTERLAB_LOCAL_ALLOW',
    optionalText().transform((t) =>
      (t ?? '')
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ),
  /** Where commands on the local device are looked up (absolute directories, `:`-separated); a safe default when unset. */
  localPath: v(
    'TWISTERLAB_LOCAL_PATH',
    z
      .string()
      .min(1)
      .refine((p) => p.split(':').every((d) => d.startsWith('/')), 'must be absolute directories separated by ":"')
      .optional(),
  ),
  /** Which process starts the local device's commands: `native` (posix_spawn), `node`, or `auto` (native when built). */
  spawnHelper: v('TWISTERLAB_SPAWN_HELPER', z.enum(['auto', 'native', 'node']).default('auto')),
  sshConnectTimeoutMs: v('TWISTERLAB_SSH_CONNECT_TIMEOUT_MS', int(100, 120_000).default(5_000)),
  /** ssh-agent socket for devices with `auth.method: agent` that name none. */
  sshAuthSock: v('SSH_AUTH_SOCK', z.string().min(1).optional()),
  commandTimeoutMs: v('TWISTERLAB_COMMAND_TIMEOUT_MS', int(100, 600_000).default(10_000)),
  outputCap: v('TWISTERLAB_OUTPUT_CAP', int(1024, 16 * 1024 * 1024).default(64 * 1024)),
  checkTimeoutMs: v('TWISTERLAB_CHECK_TIMEOUT_MS', int(100, 120_000).default(5_000)),
  capabilityTimeoutMs: v('TWISTERLAB_CAPABILITY_TIMEOUT_MS', int(100, 600_000).default(30_000)),
  /** Internal hosts and blocks that certificate and reachability checks may reach (`TWISTERLAB_PROBE_ALLOW`). */
  probeAllow: v('TWISTERLAB_PROBE_ALLOW', allowList()),
  /** Absolute directories that file backups, restores and syncs may touch (`:`-separated in the environment). */
  backupRoots: v('TWISTERLAB_BACKUP_ROOTS', parsedBy(parseBackupRoots)),
  /** Backups kept per target, and their greatest age. */
  backupKeep: v('TWISTERLAB_BACKUP_KEEP', int(1, 10_000).default(10)),
  backupMaxAgeDays: v('TWISTERLAB_BACKUP_MAX_AGE_DAYS', int(1, 36_500).default(30)),
  /** Per service: its configuration directory and a known-good copy of it (the config-drift runbook). */
  configBaselines: v('TWISTERLAB_CONFIG_BASELINES', parsedBy(parseConfigBaselines)),
};

// ── The browser agent: what it may reach although internal, which Chromium, per-visit limits ─────────────────
const browser = z.object({
  /** Hosts and CIDR blocks opened despite the SSRF guard (`TWISTERLAB_BROWSER_ALLOW`). */
  allow: v('TWISTERLAB_BROWSER_ALLOW', allowList()),
  executablePath: v('TWISTERLAB_BROWSER_EXECUTABLE', z.string().min(1).default('/usr/bin/chromium')),
  timeoutMs: v('TWISTERLAB_BROWSER_TIMEOUT_MS', int(500, 300_000).default(15_000)),
  /** Page scripts run only when true (Chromium runs without its sandbox here). */
  javaScript: v('TWISTERLAB_BROWSER_JAVASCRIPT', bool.default(false)),
  textCap: v('TWISTERLAB_BROWSER_TEXT_CAP', int(1024, 4 * 1024 * 1024).default(64 * 1024)),
});

// ── The model server for analysis; undefined: rules only. Ollama wins when both kinds are configured ─────────
const llm = z
  .object({
    ollamaBaseUrl: v('OLLAMA_BASE_URL', z.url({ protocol: /^https?$/ }).optional()),
    ollamaModel: v('OLLAMA_MODEL', z.string().min(1).default('mistral')),
    openaiBaseUrl: v('OPENAI_COMPAT_BASE_URL', z.url({ protocol: /^https?$/ }).optional()),
    openaiModel: v('OPENAI_COMPAT_MODEL', z.string().min(1).optional()),
    openaiApiKey: secret('OPENAI_COMPAT_API_KEY', z.string().min(1).optional()),
    timeoutMs: v('TWISTERLAB_LLM_TIMEOUT_MS', int(100, 600_000).default(20_000)),
    minConfidence: v('TWISTERLAB_LLM_MIN_CONFIDENCE', z.coerce.number().min(0).max(1).default(0.6)),
    inputTokens: v('TWISTERLAB_LLM_INPUT_TOKENS', int(100, 100_000).default(2_000)),
  })
  .transform(({ ollamaBaseUrl, ollamaModel, openaiBaseUrl, openaiModel, openaiApiKey, ...tuning }, ctx) => {
    if (ollamaBaseUrl)
      return {
        api: 'ollama' as const,
        baseUrl: ollamaBaseUrl,
        model: ollamaModel,
        apiKey: undefined as string | undefined,
        ...tuning,
      };
    if (!openaiBaseUrl) return undefined;
    if (!openaiModel) {
      ctx.addIssue({ code: 'custom', path: ['openaiModel'], message: 'is required with OPENAI_COMPAT_BASE_URL' });
      return z.NEVER;
    }
    return {
      api: 'openai-compatible' as const,
      baseUrl: openaiBaseUrl,
      model: openaiModel,
      apiKey: openaiApiKey,
      ...tuning,
    };
  });

// ── Scale-out on Redis: BullMQ workers, events across processes, per-device leases; undefined: one process ───
const redis = z
  .object({
    /** May carry a password: never log it (see describeRedisTarget). */
    url: secret(
      'REDIS_URL',
      z
        .string()
        .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
        .optional(),
    ),
    /** Every Redis key TwisterLab writes starts with it, so several installations can share one Redis. */
    prefix: v(
      'TWISTERLAB_REDIS_PREFIX',
      z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 letters, digits, "_", "." or "-"')
        .default('twisterlab'),
    ),
    /** The API process also processes tickets (it only enqueues them otherwise). */
    inlineWorker: v('TWISTERLAB_INLINE_WORKER', bool.default(false)),
    /** Tickets one `twisterlab worker` process works on at once. */
    workerConcurrency: v('TWISTERLAB_WORKER_CONCURRENCY', int(1, 256).default(8)),
    /**
     * The CPU priority a worker gives itself (nice, 0 to 19, what it runs inherits it): on a host shared with an API
     * process, intake gets the cores first and the worker takes what is left; alone on a host it changes nothing.
     */
    workerNice: v('TWISTERLAB_WORKER_NICE', int(0, 19).default(10)),
    /** Where a worker serves /metrics and /health (on HOST); undefined: it listens on no port. */
    workerMetricsPort: v('TWISTERLAB_WORKER_METRICS_PORT', int(0, 65535).optional()),
    /** How long a stopping worker lets tickets in flight finish before it leaves them to the others. */
    shutdownTimeoutMs: v('TWISTERLAB_SHUTDOWN_TIMEOUT_MS', int(0, 3_600_000).default(30_000)),
    /** How often (jittered) a process puts committed but unqueued tickets on the queue. */
    reconcileIntervalMs: v('TWISTERLAB_RECONCILE_INTERVAL_MS', int(100, 24 * 3_600_000).default(30_000)),
    /** A job's lock, renewed while it runs; a dead worker's jobs go back to the queue once it lapses. */
    lockMs: v('TWISTERLAB_QUEUE_LOCK_MS', int(500, 3_600_000).default(30_000)),
    stalledIntervalMs: v('TWISTERLAB_QUEUE_STALLED_INTERVAL_MS', int(200, 3_600_000).default(15_000)),
    /** Attempts of a job whose processing threw (the store down, the ticket busy elsewhere), with exponential backoff. */
    attempts: v('TWISTERLAB_QUEUE_ATTEMPTS', int(1, 1000).default(10)),
    backoffMs: v('TWISTERLAB_QUEUE_BACKOFF_MS', int(10, 3_600_000).default(1_000)),
    /** Commands that run at once on one device, across every process. */
    deviceConcurrency: v('TWISTERLAB_DEVICE_CONCURRENCY', int(1, 1024).default(4)),
    /** A device lease lapses this long after its holder stopped renewing it (a dead worker). */
    deviceLeaseMs: v('TWISTERLAB_DEVICE_LEASE_MS', int(500, 3_600_000).default(30_000)),
    /** How long a model's answer stays in the shared cache. */
    llmCacheTtlMs: v('TWISTERLAB_LLM_CACHE_TTL_MS', int(1_000, 30 * 24 * 3_600_000).default(3_600_000)),
  })
  .transform(({ url, ...rest }, ctx) => {
    if (!url) return undefined;
    if (rest.stalledIntervalMs > rest.lockMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['stalledIntervalMs'],
        message: `must not exceed TWISTERLAB_QUEUE_LOCK_MS (${rest.lockMs})`,
      });
      return z.NEVER;
    }
    return { url, ...rest };
  });

// ── Notifications (outbox delivery and the channels file); helpdesk callbacks go out even without a file ────
// With the defaults a notification is tried 12 times over about six hours (30 s doubling to an hour between
// attempts): a receiver down for an hour loses nothing.
const notify = z
  .object({
    /** YAML or JSON: the channels and what each wants (read at start by the notify adapter); none: callbacks only. */
    file: v('TWISTERLAB_NOTIFY_FILE', resolvedPath()),
    /** Internal hosts and blocks webhooks may reach despite the outbound guard (`TWISTERLAB_NOTIFY_ALLOW`, e.g. 127.0.0.1). */
    allow: v('TWISTERLAB_NOTIFY_ALLOW', allowList()),
    pollMs: v('TWISTERLAB_NOTIFY_POLL_MS', int(50, 600_000).default(2_000)),
    batch: v('TWISTERLAB_NOTIFY_BATCH', int(1, 1_000).default(20)),
    timeoutMs: v('TWISTERLAB_NOTIFY_TIMEOUT_MS', int(100, 300_000).default(10_000)),
    retryBaseMs: v('TWISTERLAB_NOTIFY_RETRY_BASE_MS', int(10, 3_600_000).default(30_000)),
    retryMaxMs: v('TWISTERLAB_NOTIFY_RETRY_MAX_MS', int(10, 24 * 3_600_000).default(3_600_000)),
    maxAttempts: v('TWISTERLAB_NOTIFY_MAX_ATTEMPTS', int(1, 1_000).default(12)),
    /** An approval this close to its expiry gets a warning. */
    expiryWarningMs: v('TWISTERLAB_NOTIFY_EXPIRY_WARNING_MS', int(1_000, 24 * 3_600_000).default(10 * 60_000)),
    // E-mail intake: the mailbox polled (none without TWISTERLAB_IMAP_HOST). Bigger messages are not downloaded.
    imapHost: v('TWISTERLAB_IMAP_HOST', z.string().min(1).optional()),
    imapPort: v('TWISTERLAB_IMAP_PORT', int(1, 65535).default(993)),
    imapSecure: v('TWISTERLAB_IMAP_SECURE', bool.default(true)),
    imapUser: v('TWISTERLAB_IMAP_USER', z.string().min(1).optional()),
    imapPassword: secret('TWISTERLAB_IMAP_PASSWORD', z.string().min(1).optional()),
    imapMailbox: v('TWISTERLAB_IMAP_MAILBOX', z.string().min(1).default('INBOX')),
    imapProcessedMailbox: v('TWISTERLAB_IMAP_PROCESSED_MAILBOX', z.string().min(1).optional()),
    imapPollMs: v('TWISTERLAB_IMAP_POLL_MS', int(200, 3_600_000).default(30_000)),
    imapMaxBytes: v('TWISTERLAB_IMAP_MAX_BYTES', int(1_024, 50 * 1024 * 1024).default(1024 * 1024)),
    imapBodyChars: v('TWISTERLAB_IMAP_BODY_CHARS', int(100, 1_000_000).default(20_000)),
  })
  .transform(
    (
      {
        file,
        retryBaseMs,
        retryMaxMs,
        maxAttempts,
        imapHost,
        imapPort,
        imapSecure,
        imapUser,
        imapPassword,
        imapMailbox,
        imapProcessedMailbox,
        imapPollMs,
        imapMaxBytes,
        imapBodyChars,
        ...rest
      },
      ctx,
    ) => {
      if (retryMaxMs < retryBaseMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['retryMaxMs'],
          message: `must not be below TWISTERLAB_NOTIFY_RETRY_BASE_MS (${retryBaseMs})`,
        });
        return z.NEVER;
      }
      if (imapHost && (!imapUser || !imapPassword)) {
        const missing = imapUser ? 'imapPassword' : 'imapUser';
        ctx.addIssue({ code: 'custom', path: [missing], message: 'is required with TWISTERLAB_IMAP_HOST' });
        return z.NEVER;
      }
      const imap =
        imapHost && imapUser && imapPassword
          ? {
              host: imapHost,
              port: imapPort,
              secure: imapSecure,
              user: imapUser,
              password: imapPassword,
              mailbox: imapMailbox,
              processedMailbox: imapProcessedMailbox,
              pollMs: imapPollMs,
              maxBytes: imapMaxBytes,
              bodyChars: imapBodyChars,
            }
          : undefined;
      return { file, ...rest, retry: { baseMs: retryBaseMs, maxMs: retryMaxMs, maxAttempts }, imap };
    },
  );

/** The whole configuration, as read from the environment (before API keys are hashed and HOST is joined in). */
const configSchema = z.object({
  ...server,
  ...store,
  ...access,
  ...client,
  ...tickets,
  ...targets,
  browser,
  llm,
  redis,
  notify,
});

/** Every variable this module reads (with the `*_FILE` twin of each secret); the deployment files are checked against it. */
export const ENV_VARIABLES: readonly string[] = variablesOf(configSchema);

type Parsed = z.output<typeof configSchema>;
export type BrowserConfig = Parsed['browser'];
export type LlmConfig = NonNullable<Parsed['llm']>;
export type RedisConfig = NonNullable<Parsed['redis']>;
export type NotifyConfig = Parsed['notify'];

export type Config = Omit<Parsed, 'apiKeys' | 'url'> & {
  apiKeys: ApiKeyConfig[];
  /** For the CLI as a client: where the API is (TWISTERLAB_URL, or HOST and PORT). */
  apiUrl: string;
  /**
   * Reads one variable of the environment given to loadConfig (or the file its `_FILE` twin names), for
   * secrets the services file names by reference (`password: { env: NAME }`): a lookup, so the value never
   * sits in the configuration object.
   */
  secretEnv: (name: string) => string | undefined;
};

/** `name:role:key` or `name:role:sha256:<hex>`, comma-separated. */
export function parseApiKeys(text: string | undefined, hash: (key: string) => string): ApiKeyConfig[] {
  if (!text || text.trim() === '') return [];
  const keys = text.split(',').map((entry, index) => {
    const [name, role, ...rest] = entry.trim().split(':');
    const secretText = rest.join(':');
    if (!name || !role || !secretText) {
      throw configError('TWISTERLAB_API_KEYS', `entry ${index + 1} must be name:role:key or name:role:sha256:<hex>`);
    }
    if (!(ROLES as readonly string[]).includes(role)) {
      throw configError(
        'TWISTERLAB_API_KEYS',
        `entry ${index + 1} (${name}) has role "${role}"; roles are ${[...ROLES].reverse().join(', ')}`,
      );
    }
    const hashed = /^sha256:[0-9a-f]{64}$/.exec(secretText) ? secretText.slice(7) : undefined;
    if (!hashed && secretText.length < 16) {
      throw configError('TWISTERLAB_API_KEYS', `the key of ${name} is shorter than 16 characters`);
    }
    return { name, role: role as ApiRole, sha256: hashed ?? hash(secretText) };
  });
  const names = new Set<string>();
  for (const key of keys) {
    if (names.has(key.name)) throw configError('TWISTERLAB_API_KEYS', `the name ${key.name} is used twice`);
    names.add(key.name);
  }
  return keys;
}

function parseBackupRoots(text: string | undefined): string[] {
  const roots = (text ?? '')
    .split(':')
    .map((r) => r.trim())
    .filter(Boolean);
  for (const root of roots) {
    if (!path.isAbsolute(root) || root.includes('\0')) throw new Error(`"${root}" is not an absolute path`);
  }
  return roots.map((r) => path.resolve(r));
}

/** `service=/config/dir:/known-good/dir`, comma-separated. */
function parseConfigBaselines(text: string | undefined): Record<string, { configDir: string; baselineDir: string }> {
  const baselines: Record<string, { configDir: string; baselineDir: string }> = {};
  for (const entry of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9_.-]+)=(\/[^:]*):(\/[^:]*)$/.exec(entry);
    if (!match) throw new Error(`"${entry}" must be service=/config/dir:/known-good/dir`);
    baselines[match[1]!] = { configDir: path.resolve(match[2]!), baselineDir: path.resolve(match[3]!) };
  }
  return baselines;
}

/** `TWISTERLAB_ALLOWED_HOSTS`: host names or addresses, comma-separated. */
function parseAllowedHosts(text: string | undefined): string[] {
  const names: string[] = [];
  for (const entry of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const name = parseHostName(entry);
    if (!name) throw new Error(`"${entry}" is not a host name or an IP address (no scheme, port or path)`);
    names.push(name);
  }
  return names;
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** A lookup by name in the environment (empty values count as unset), or in the file `<name>_FILE` names. */
function secretLookup(env: NodeJS.ProcessEnv): (name: string) => string | undefined {
  const snapshot: NodeJS.ProcessEnv = { ...env };
  return (name) => readVariable(snapshot, name, true);
}

export function loadConfig(env: NodeJS.ProcessEnv, hash: (key: string) => string): Readonly<Config> {
  const { apiKeys, url, ...parsed } = readSection(configSchema, env);
  // HOST is a name the instance answers to, unless it is a wildcard.
  const bound = parseHostName(parsed.host);
  const config: Config = {
    ...parsed,
    allowedHosts: [
      ...new Set([...parsed.allowedHosts, ...(bound && bound !== '0.0.0.0' && bound !== '::' ? [bound] : [])]),
    ],
    apiKeys: parseApiKeys(apiKeys, hash),
    apiUrl: apiUrl(url, parsed.host, parsed.port),
    secretEnv: secretLookup(env),
  };
  if (!isLoopbackHost(config.host) && config.apiKeys.length === 0) {
    throw configError(
      'HOST',
      `${config.host} is not a loopback address and TWISTERLAB_API_KEYS is empty: refusing to serve without keys`,
    );
  }
  return Object.freeze(config);
}
