// The only reader of process.env: parses the environment once, validates it, freezes it, and fails fast
// naming the variable that is wrong.
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { TwisterError } from './core/errors.ts';
import { parseHostName } from './core/host-names.ts';
import { parseNetworkAllowList, type NetworkAllowList } from './core/network-guard.ts';
import type { ChangePolicy } from './core/policy.ts';

const API_ROLES = ['admin', 'operator', 'viewer'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface ApiKeyConfig {
  name: string;
  role: ApiRole;
  /** sha256 of the key, hex. Keys are never kept in clear after parsing. */
  sha256: string;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TWISTERLAB_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?(\+asyncpg)?:\/\//, 'must be a postgresql:// URL').optional(),
  DATABASE_POOL_SIZE: int(1, 100).default(10),
  TWISTERLAB_API_KEYS: z.string().optional(),
  TWISTERLAB_ALLOWED_HOSTS: z.string().optional(),
  API_KEY_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name').default('X-API-Key'),
  TWISTERLAB_BODY_LIMIT: int(1024, 50 * 1024 * 1024).default(256 * 1024),
  TWISTERLAB_SERVICES: z.string().optional(),
  TWISTERLAB_LOCAL_ALLOW: z.string().optional(),
  TWISTERLAB_LOCAL_PATH: z.string().min(1).refine((p) => p.split(':').every((d) => d.startsWith('/')), 'must be absolute directories separated by ":"').optional(),
  TWISTERLAB_DEVICES_FILE: z.string().min(1).optional(),
  TWISTERLAB_SSH_CONNECT_TIMEOUT_MS: int(100, 120_000).default(5_000),
  SSH_AUTH_SOCK: z.string().min(1).optional(),
  TWISTERLAB_COMMAND_TIMEOUT_MS: int(100, 600_000).default(10_000),
  TWISTERLAB_OUTPUT_CAP: int(1024, 16 * 1024 * 1024).default(64 * 1024),
  TWISTERLAB_CHECK_TIMEOUT_MS: int(100, 120_000).default(5_000),
  TWISTERLAB_CAPABILITY_TIMEOUT_MS: int(100, 600_000).default(30_000),
  TWISTERLAB_CONCURRENCY: int(1, 256).default(8),
  TWISTERLAB_BACKLOG_LIMIT: int(1, 1_000_000).default(1_000),
  TWISTERLAB_BACKLOG_RETRY_AFTER_S: int(1, 3_600).default(2),
  TWISTERLAB_APPROVAL_TTL_MS: int(1_000, 30 * 24 * 3_600_000).default(3_600_000),
  TWISTERLAB_NO_FAULT_TTL_MS: int(1_000, 90 * 24 * 3_600_000).default(72 * 3_600_000),
  TWISTERLAB_RECOVER_ON_START: bool.default(true),
  TWISTERLAB_STEP_RETRIES: int(0, 10).default(2),
  TWISTERLAB_STEP_RETRY_BASE_MS: int(1, 60_000).default(250),
  TWISTERLAB_LEASE_MS: int(200, 600_000).default(15_000),
  TWISTERLAB_STORE_WAIT_MS: int(0, 600_000).default(30_000),
  DATABASE_CONNECT_TIMEOUT_MS: int(100, 120_000).default(3_000),
  TWISTERLAB_URL: z.url().optional(),
  TWISTERLAB_API_KEY: z.string().optional(),
  TWISTERLAB_MCP_STDIO_ROLE: z.enum(API_ROLES).default('operator'),
  TWISTERLAB_BROWSER_ALLOW: z.string().optional(),
  TWISTERLAB_BROWSER_EXECUTABLE: z.string().min(1).default('/usr/bin/chromium'),
  TWISTERLAB_BROWSER_TIMEOUT_MS: int(500, 300_000).default(15_000),
  TWISTERLAB_BROWSER_JAVASCRIPT: bool.default(false),
  TWISTERLAB_BROWSER_TEXT_CAP: int(1024, 4 * 1024 * 1024).default(64 * 1024),
  TWISTERLAB_PROBE_ALLOW: z.string().optional(),
  TWISTERLAB_BACKUP_ROOTS: z.string().optional(),
  TWISTERLAB_BACKUP_KEEP: int(1, 10_000).default(10),
  TWISTERLAB_BACKUP_MAX_AGE_DAYS: int(1, 36_500).default(30),
  TWISTERLAB_CONFIG_BASELINES: z.string().optional(),
  TWISTERLAB_RUNBOOKS_DIR: z.string().min(1).optional(),
  TWISTERLAB_SERVICES_FILE: z.string().min(1).optional(),
  TWISTERLAB_ROUTING_FILE: z.string().min(1).optional(),
  TWISTERLAB_CHANGE_POLICY: z.enum(['backup-and-verify', 'verify', 'approve']).default('backup-and-verify'),
  OLLAMA_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  OLLAMA_MODEL: z.string().min(1).default('mistral'),
  OPENAI_COMPAT_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  OPENAI_COMPAT_MODEL: z.string().min(1).optional(),
  OPENAI_COMPAT_API_KEY: z.string().min(1).optional(),
  TWISTERLAB_LLM_TIMEOUT_MS: int(100, 600_000).default(20_000),
  TWISTERLAB_LLM_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.6),
  TWISTERLAB_LLM_INPUT_TOKENS: int(100, 100_000).default(2_000),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  TWISTERLAB_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 letters, digits, "_", "." or "-"').default('twisterlab'),
  TWISTERLAB_INLINE_WORKER: bool.optional(),
  TWISTERLAB_WORKER_CONCURRENCY: int(1, 256).default(8),
  TWISTERLAB_WORKER_METRICS_PORT: int(0, 65535).optional(),
  TWISTERLAB_SHUTDOWN_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  TWISTERLAB_RECONCILE_INTERVAL_MS: int(100, 24 * 3_600_000).default(30_000),
  TWISTERLAB_QUEUE_LOCK_MS: int(500, 3_600_000).default(30_000),
  TWISTERLAB_QUEUE_STALLED_INTERVAL_MS: int(200, 3_600_000).default(15_000),
  TWISTERLAB_QUEUE_ATTEMPTS: int(1, 1000).default(10),
  TWISTERLAB_QUEUE_BACKOFF_MS: int(10, 3_600_000).default(1_000),
  TWISTERLAB_DEVICE_CONCURRENCY: int(1, 1024).default(4),
  TWISTERLAB_DEVICE_LEASE_MS: int(500, 3_600_000).default(30_000),
  TWISTERLAB_LLM_CACHE_TTL_MS: int(1_000, 30 * 24 * 3_600_000).default(3_600_000),
  ...notifyEnv(),
});

/** Every variable this module reads; the deployment files are checked against it. */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  host: string;
  port: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  apiKeys: ApiKeyConfig[];
  apiKeyHeader: string;
  /**
   * Names a keyless instance answers to besides its loopback names (`TWISTERLAB_ALLOWED_HOSTS`, and HOST): a
   * request with any other Host header is refused, so a page cannot rebind its own name to this port.
   */
  allowedHosts: string[];
  bodyLimit: number;
  /** Raw declarations; parsed by the service-declaration parser at wiring time. */
  services: string | undefined;
  /** Extra allow-list rules for the local device, one per `;`. */
  localAllow: string[];
  /** YAML or JSON inventory of SSH devices, read at start. */
  devicesFile: string | undefined;
  sshConnectTimeoutMs: number;
  /** ssh-agent socket for devices with `auth.method: agent` that name none. */
  sshAuthSock: string | undefined;
  commandTimeoutMs: number;
  outputCap: number;
  checkTimeoutMs: number;
  capabilityTimeoutMs: number;
  /** Tickets this process works on at once (its processing budget, apart from intake). */
  concurrency: number;
  /**
   * Tickets queued or running (not yet settled) past which intake answers BACKLOG_FULL (429) with Retry-After
   * `retryAfterSeconds`, storing nothing; it bounds the work held in memory.
   */
  backlog: { limit: number; retryAfterSeconds: number };
  recoverOnStart: boolean;
  /** Retries of a step that failed with a retryable error (read-only or idempotent capabilities only), and the first backoff. */
  stepRetries: number;
  stepRetryBaseMs: number;
  /** How long a process's claim on a ticket lasts unless renewed: a crashed holder's tickets are taken up after it. */
  leaseMs: number;
  /** How long a write waits for PostgreSQL to come back before the ticket goes back to the queue. */
  storeWaitMs: number;
  /** How long opening a PostgreSQL connection (or waiting for a free one) may take before STORE_UNAVAILABLE. */
  databaseConnectTimeoutMs: number;
  /** How long a step needing approval waits before its ticket is escalated. */
  approvalTtlMs: number;
  /** How long a ticket where no fault was found waits for its requester before a human gets it. */
  noFaultTtlMs: number;
  /** For the CLI as a client: where the API is and which key to send. */
  apiUrl: string;
  apiKey: string | undefined;
  /** The role of `twisterlab mcp` (stdio), whose caller is whoever can start the process. */
  mcpStdioRole: ApiRole;
  browser: BrowserConfig;
  /** Internal hosts and blocks that certificate and reachability checks may reach (`TWISTERLAB_PROBE_ALLOW`). */
  probeAllow: NetworkAllowList;
  /** Absolute directories that file backups, restores and syncs may touch (`:`-separated in the environment). */
  backupRoots: string[];
  /** Backups kept per target, and their greatest age. */
  backupKeep: number;
  backupMaxAgeDays: number;
  /** Per service: its configuration directory and a known-good copy of it (the config-drift runbook). */
  configBaselines: Record<string, { configDir: string; baselineDir: string }>;
  /** Where commands on the local device are looked up (absolute directories, `:`-separated); a safe default when unset. */
  localPath: string | undefined;
  /** A directory of the user's runbooks (YAML or JSON), added to the built-in ones. */
  runbooksDir: string | undefined;
  /** Services with what runbooks need to act on them (device, restart command, log and config directories). */
  servicesFile: string | undefined;
  /** Team routing rules (YAML or JSON); without one, the built-in routing. */
  routingFile: string | undefined;
  /**
   * Reads one variable of the environment given to loadConfig, for secrets the services file names by
   * reference (`password: { env: NAME }`): a lookup, so the value never sits in the configuration object.
   */
  secretEnv: (name: string) => string | undefined;
  /**
   * When a `change` step runs unattended: `backup-and-verify` (a backup before it, or a stated reason there is
   * nothing to back up, and a verification after), `verify` (a verification after), `approve` (never).
   */
  changePolicy: ChangePolicy;
  /** The model server for analysis; undefined: rules only. Ollama wins when both kinds are configured. */
  llm: LlmConfig | undefined;
  /** Queue, events and device leases on Redis (`REDIS_URL`); undefined: everything stays in this process. */
  redis: RedisConfig | undefined;
  /** Notification channels and their delivery (helpdesk callbacks go out even without a channels file). */
  notify: NotifyConfig;
}

// ── Notifications (outbox delivery and the channels file) ─────────────────────────────────────────────────────

function notifyEnv() {
  return {
    TWISTERLAB_NOTIFY_FILE: z.string().min(1).optional(),
    TWISTERLAB_NOTIFY_ALLOW: z.string().optional(),
    TWISTERLAB_NOTIFY_POLL_MS: int(50, 600_000).default(2_000),
    TWISTERLAB_NOTIFY_BATCH: int(1, 1_000).default(20),
    TWISTERLAB_NOTIFY_TIMEOUT_MS: int(100, 300_000).default(10_000),
    TWISTERLAB_NOTIFY_RETRY_BASE_MS: int(10, 3_600_000).default(30_000),
    TWISTERLAB_NOTIFY_RETRY_MAX_MS: int(10, 24 * 3_600_000).default(3_600_000),
    TWISTERLAB_NOTIFY_MAX_ATTEMPTS: int(1, 1_000).default(12),
    TWISTERLAB_NOTIFY_EXPIRY_WARNING_MS: int(1_000, 24 * 3_600_000).default(10 * 60_000),
  };
}

/**
 * Where notifications go and how hard delivery tries. With the defaults a notification is tried 12 times over
 * about six hours (30 s doubling to an hour between attempts): a receiver down for an hour loses nothing.
 */
export interface NotifyConfig {
  /** YAML or JSON: the channels and what each wants (read at start by the notify adapter); none: callbacks only. */
  file: string | undefined;
  /** Internal hosts and blocks webhooks may reach despite the outbound guard (`TWISTERLAB_NOTIFY_ALLOW`, e.g. 127.0.0.1). */
  allow: NetworkAllowList;
  pollMs: number;
  batch: number;
  timeoutMs: number;
  retry: { baseMs: number; maxMs: number; maxAttempts: number };
  /** An approval this close to its expiry gets a warning. */
  expiryWarningMs: number;
}

function notifyConfig(e: z.infer<typeof envSchema>): NotifyConfig {
  if (e.TWISTERLAB_NOTIFY_RETRY_MAX_MS < e.TWISTERLAB_NOTIFY_RETRY_BASE_MS) {
    throw configError('TWISTERLAB_NOTIFY_RETRY_MAX_MS', `must not be below TWISTERLAB_NOTIFY_RETRY_BASE_MS (${e.TWISTERLAB_NOTIFY_RETRY_BASE_MS})`);
  }
  let allow: NetworkAllowList;
  try {
    allow = parseNetworkAllowList(e.TWISTERLAB_NOTIFY_ALLOW);
  } catch (error) {
    throw configError('TWISTERLAB_NOTIFY_ALLOW', (error as Error).message);
  }
  return {
    file: e.TWISTERLAB_NOTIFY_FILE ? path.resolve(e.TWISTERLAB_NOTIFY_FILE) : undefined, allow, pollMs: e.TWISTERLAB_NOTIFY_POLL_MS, batch: e.TWISTERLAB_NOTIFY_BATCH,
    timeoutMs: e.TWISTERLAB_NOTIFY_TIMEOUT_MS, expiryWarningMs: e.TWISTERLAB_NOTIFY_EXPIRY_WARNING_MS,
    retry: { baseMs: e.TWISTERLAB_NOTIFY_RETRY_BASE_MS, maxMs: e.TWISTERLAB_NOTIFY_RETRY_MAX_MS, maxAttempts: e.TWISTERLAB_NOTIFY_MAX_ATTEMPTS },
  };
}

/** Scale-out on Redis: BullMQ workers, events across processes, per-device leases. */
export interface RedisConfig {
  /** May carry a password: never log it (see describeRedisTarget). */
  url: string;
  /** Every Redis key TwisterLab writes starts with it, so several installations can share one Redis. */
  prefix: string;
  /** The API process also processes tickets (it only enqueues them otherwise). */
  inlineWorker: boolean;
  /** Tickets one `twisterlab worker` process works on at once. */
  workerConcurrency: number;
  /** Where a worker serves /metrics and /health (on HOST); undefined: it listens on no port. */
  workerMetricsPort: number | undefined;
  /** How long a stopping worker lets tickets in flight finish before it leaves them to the others. */
  shutdownTimeoutMs: number;
  /** How often (jittered) a process puts committed but unqueued tickets on the queue. */
  reconcileIntervalMs: number;
  /** A job's lock, renewed while it runs; a dead worker's jobs go back to the queue once it lapses. */
  lockMs: number;
  stalledIntervalMs: number;
  /** Attempts of a job whose processing threw (the store down, the ticket busy elsewhere), with exponential backoff. */
  attempts: number;
  backoffMs: number;
  /** Commands that run at once on one device, across every process. */
  deviceConcurrency: number;
  /** A device lease lapses this long after its holder stopped renewing it (a dead worker). */
  deviceLeaseMs: number;
  /** How long a model's answer stays in the shared cache. */
  llmCacheTtlMs: number;
}

function redisConfig(e: z.infer<typeof envSchema>): RedisConfig | undefined {
  if (!e.REDIS_URL) return undefined;
  if (e.TWISTERLAB_QUEUE_STALLED_INTERVAL_MS > e.TWISTERLAB_QUEUE_LOCK_MS) {
    throw configError('TWISTERLAB_QUEUE_STALLED_INTERVAL_MS', `must not exceed TWISTERLAB_QUEUE_LOCK_MS (${e.TWISTERLAB_QUEUE_LOCK_MS})`);
  }
  return {
    url: e.REDIS_URL,
    prefix: e.TWISTERLAB_REDIS_PREFIX,
    inlineWorker: e.TWISTERLAB_INLINE_WORKER ?? false,
    workerConcurrency: e.TWISTERLAB_WORKER_CONCURRENCY,
    workerMetricsPort: e.TWISTERLAB_WORKER_METRICS_PORT,
    shutdownTimeoutMs: e.TWISTERLAB_SHUTDOWN_TIMEOUT_MS,
    reconcileIntervalMs: e.TWISTERLAB_RECONCILE_INTERVAL_MS,
    lockMs: e.TWISTERLAB_QUEUE_LOCK_MS,
    stalledIntervalMs: e.TWISTERLAB_QUEUE_STALLED_INTERVAL_MS,
    attempts: e.TWISTERLAB_QUEUE_ATTEMPTS,
    backoffMs: e.TWISTERLAB_QUEUE_BACKOFF_MS,
    deviceConcurrency: e.TWISTERLAB_DEVICE_CONCURRENCY,
    deviceLeaseMs: e.TWISTERLAB_DEVICE_LEASE_MS,
    llmCacheTtlMs: e.TWISTERLAB_LLM_CACHE_TTL_MS,
  };
}

export interface LlmConfig {
  api: 'ollama' | 'openai-compatible';
  baseUrl: string;
  model: string;
  apiKey: string | undefined;
  timeoutMs: number;
  minConfidence: number;
  inputTokens: number;
}

function llmConfig(e: z.infer<typeof envSchema>): LlmConfig | undefined {
  const tuning = { timeoutMs: e.TWISTERLAB_LLM_TIMEOUT_MS, minConfidence: e.TWISTERLAB_LLM_MIN_CONFIDENCE, inputTokens: e.TWISTERLAB_LLM_INPUT_TOKENS };
  if (e.OLLAMA_BASE_URL) return { api: 'ollama', baseUrl: e.OLLAMA_BASE_URL, model: e.OLLAMA_MODEL, apiKey: undefined, ...tuning };
  if (!e.OPENAI_COMPAT_BASE_URL) return undefined;
  if (!e.OPENAI_COMPAT_MODEL) throw configError('OPENAI_COMPAT_MODEL', 'is required with OPENAI_COMPAT_BASE_URL');
  return { api: 'openai-compatible', baseUrl: e.OPENAI_COMPAT_BASE_URL, model: e.OPENAI_COMPAT_MODEL, apiKey: e.OPENAI_COMPAT_API_KEY, ...tuning };
}

/** The browser agent: what it may reach although internal, which Chromium, per-visit limits. */
export interface BrowserConfig {
  /** Hosts and CIDR blocks opened despite the SSRF guard (`TWISTERLAB_BROWSER_ALLOW`). */
  allow: NetworkAllowList;
  executablePath: string;
  timeoutMs: number;
  /** Page scripts run only when true (Chromium runs without its sandbox here). */
  javaScript: boolean;
  textCap: number;
}

function allowList(variable: 'TWISTERLAB_BROWSER_ALLOW' | 'TWISTERLAB_PROBE_ALLOW', text: string | undefined): NetworkAllowList {
  try {
    return parseNetworkAllowList(text);
  } catch (error) {
    throw configError(variable, (error as Error).message);
  }
}

function browserConfig(e: z.infer<typeof envSchema>): BrowserConfig {
  const allow = allowList('TWISTERLAB_BROWSER_ALLOW', e.TWISTERLAB_BROWSER_ALLOW);
  return {
    allow, executablePath: e.TWISTERLAB_BROWSER_EXECUTABLE, timeoutMs: e.TWISTERLAB_BROWSER_TIMEOUT_MS,
    javaScript: e.TWISTERLAB_BROWSER_JAVASCRIPT, textCap: e.TWISTERLAB_BROWSER_TEXT_CAP,
  };
}

/** `name:role:key` or `name:role:sha256:<hex>`, comma-separated. */
export function parseApiKeys(text: string | undefined, hash: (key: string) => string): ApiKeyConfig[] {
  if (!text || text.trim() === '') return [];
  const keys = text.split(',').map((entry, index) => {
    const [name, role, ...rest] = entry.trim().split(':');
    const secret = rest.join(':');
    if (!name || !role || !secret) {
      throw configError('TWISTERLAB_API_KEYS', `entry ${index + 1} must be name:role:key or name:role:sha256:<hex>`);
    }
    if (!(API_ROLES as readonly string[]).includes(role)) {
      throw configError('TWISTERLAB_API_KEYS', `entry ${index + 1} (${name}) has role "${role}"; roles are ${API_ROLES.join(', ')}`);
    }
    const hashed = /^sha256:[0-9a-f]{64}$/.exec(secret) ? secret.slice(7) : undefined;
    if (!hashed && secret.length < 16) {
      throw configError('TWISTERLAB_API_KEYS', `the key of ${name} is shorter than 16 characters`);
    }
    return { name, role: role as ApiRole, sha256: hashed ?? hash(secret) };
  });
  const names = new Set<string>();
  for (const key of keys) {
    if (names.has(key.name)) throw configError('TWISTERLAB_API_KEYS', `the name ${key.name} is used twice`);
    names.add(key.name);
  }
  return keys;
}

function configError(variable: string, problem: string): TwisterError {
  return new TwisterError('CONFIG_INVALID', `${variable}: ${problem}`, { variable });
}

function parseBackupRoots(text: string | undefined): string[] {
  const roots = (text ?? '').split(':').map((r) => r.trim()).filter(Boolean);
  for (const root of roots) {
    if (!path.isAbsolute(root) || root.includes('\0')) throw configError('TWISTERLAB_BACKUP_ROOTS', `"${root}" is not an absolute path`);
  }
  return roots.map((r) => path.resolve(r));
}

/** `service=/config/dir:/known-good/dir`, comma-separated. */
function parseConfigBaselines(text: string | undefined): Config['configBaselines'] {
  const baselines: Config['configBaselines'] = {};
  for (const entry of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_.-]+)=(\/[^:]*):(\/[^:]*)$/.exec(entry);
    if (!match) throw configError('TWISTERLAB_CONFIG_BASELINES', `"${entry}" must be service=/config/dir:/known-good/dir`);
    baselines[match[1]!] = { configDir: path.resolve(match[2]!), baselineDir: path.resolve(match[3]!) };
  }
  return baselines;
}

/** `TWISTERLAB_ALLOWED_HOSTS`: host names or addresses, comma-separated; HOST is added unless it is a wildcard. */
function parseAllowedHosts(text: string | undefined, bindHost: string): string[] {
  const names: string[] = [];
  for (const entry of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const name = parseHostName(entry);
    if (!name) throw configError('TWISTERLAB_ALLOWED_HOSTS', `"${entry}" is not a host name or an IP address (no scheme, port or path)`);
    names.push(name);
  }
  const bound = parseHostName(bindHost);
  if (bound && bound !== '0.0.0.0' && bound !== '::') names.push(bound);
  return [...new Set(names)];
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** A snapshot of the environment, read by name only; empty values count as unset. */
function secretLookup(env: NodeJS.ProcessEnv): (name: string) => string | undefined {
  const snapshot = new Map(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
  return (name) => snapshot.get(name);
}

const clientSchema = envSchema.pick({ HOST: true, PORT: true, TWISTERLAB_URL: true, TWISTERLAB_API_KEY: true, API_KEY_HEADER: true });

/** What the CLI needs as a client of a running API: where it is and which key to send. */
export interface ClientConfig {
  apiUrl: string;
  apiKey: string | undefined;
  apiKeyHeader: string;
}

function apiUrl(e: { TWISTERLAB_URL?: string | undefined; HOST: string; PORT: number }): string {
  return e.TWISTERLAB_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`;
}

export function loadClientConfig(env: NodeJS.ProcessEnv): Readonly<ClientConfig> {
  const parsed = clientSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw configError(String(issue.path[0]), issue.message);
  }
  const e = parsed.data;
  return Object.freeze({ apiUrl: apiUrl(e), apiKey: e.TWISTERLAB_API_KEY, apiKeyHeader: e.API_KEY_HEADER.toLowerCase() });
}

export function loadConfig(env: NodeJS.ProcessEnv, hash: (key: string) => string): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw configError(String(issue.path[0]), issue.message);
  }
  const e = parsed.data;
  const config: Config = {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(e.TWISTERLAB_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    apiKeys: parseApiKeys(e.TWISTERLAB_API_KEYS, hash),
    apiKeyHeader: e.API_KEY_HEADER.toLowerCase(),
    allowedHosts: parseAllowedHosts(e.TWISTERLAB_ALLOWED_HOSTS, e.HOST),
    bodyLimit: e.TWISTERLAB_BODY_LIMIT,
    services: e.TWISTERLAB_SERVICES,
    localAllow: (e.TWISTERLAB_LOCAL_ALLOW ?? '').split(';').map((s) => s.trim()).filter(Boolean),
    devicesFile: e.TWISTERLAB_DEVICES_FILE ? path.resolve(e.TWISTERLAB_DEVICES_FILE) : undefined,
    sshConnectTimeoutMs: e.TWISTERLAB_SSH_CONNECT_TIMEOUT_MS,
    sshAuthSock: e.SSH_AUTH_SOCK,
    commandTimeoutMs: e.TWISTERLAB_COMMAND_TIMEOUT_MS,
    outputCap: e.TWISTERLAB_OUTPUT_CAP,
    checkTimeoutMs: e.TWISTERLAB_CHECK_TIMEOUT_MS,
    capabilityTimeoutMs: e.TWISTERLAB_CAPABILITY_TIMEOUT_MS,
    concurrency: e.TWISTERLAB_CONCURRENCY,
    backlog: { limit: e.TWISTERLAB_BACKLOG_LIMIT, retryAfterSeconds: e.TWISTERLAB_BACKLOG_RETRY_AFTER_S },
    recoverOnStart: e.TWISTERLAB_RECOVER_ON_START,
    stepRetries: e.TWISTERLAB_STEP_RETRIES,
    stepRetryBaseMs: e.TWISTERLAB_STEP_RETRY_BASE_MS,
    leaseMs: e.TWISTERLAB_LEASE_MS,
    storeWaitMs: e.TWISTERLAB_STORE_WAIT_MS,
    databaseConnectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    approvalTtlMs: e.TWISTERLAB_APPROVAL_TTL_MS,
    noFaultTtlMs: e.TWISTERLAB_NO_FAULT_TTL_MS,
    apiUrl: apiUrl(e),
    apiKey: e.TWISTERLAB_API_KEY,
    mcpStdioRole: e.TWISTERLAB_MCP_STDIO_ROLE,
    browser: browserConfig(e),
    probeAllow: allowList('TWISTERLAB_PROBE_ALLOW', e.TWISTERLAB_PROBE_ALLOW),
    backupRoots: parseBackupRoots(e.TWISTERLAB_BACKUP_ROOTS),
    backupKeep: e.TWISTERLAB_BACKUP_KEEP,
    backupMaxAgeDays: e.TWISTERLAB_BACKUP_MAX_AGE_DAYS,
    configBaselines: parseConfigBaselines(e.TWISTERLAB_CONFIG_BASELINES),
    localPath: e.TWISTERLAB_LOCAL_PATH,
    runbooksDir: e.TWISTERLAB_RUNBOOKS_DIR ? path.resolve(e.TWISTERLAB_RUNBOOKS_DIR) : undefined,
    servicesFile: e.TWISTERLAB_SERVICES_FILE ? path.resolve(e.TWISTERLAB_SERVICES_FILE) : undefined,
    routingFile: e.TWISTERLAB_ROUTING_FILE ? path.resolve(e.TWISTERLAB_ROUTING_FILE) : undefined,
    secretEnv: secretLookup(env),
    changePolicy: e.TWISTERLAB_CHANGE_POLICY,
    llm: llmConfig(e),
    redis: redisConfig(e),
    notify: notifyConfig(e),
  };
  if (!isLoopbackHost(config.host) && config.apiKeys.length === 0) {
    throw configError('HOST', `${config.host} is not a loopback address and TWISTERLAB_API_KEYS is empty: refusing to serve without keys`);
  }
  return Object.freeze(config);
}
