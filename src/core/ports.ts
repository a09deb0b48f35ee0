// Ports: what core and agents need from the outside world. Adapters implement them; main wires them.
import type { Risk } from './capability.ts';

/** One rule of a device's allow-list: the program and a pattern per argument. */
export interface AllowRule {
  /** Program name as typed (`df`) — resolved on a fixed safe PATH, never through a shell. */
  program: string;
  /** One entry per argument: a literal, or a RegExp source wrapped in slashes (`/^[a-z]+$/`). Exact length. */
  args: string[];
  /** What running it can do; the planner's policy uses it. Rules without one count as `change`. */
  risk?: Risk;
}

export interface Device {
  id: string;
  kind: 'local' | 'ssh';
  description: string;
  allow: AllowRule[];
  /** Labels to select devices by (`role:web`, `env:prod`). */
  tags?: string[];
  /** `user@host:port` for SSH devices. */
  address?: string;
}

export interface ExecOptions {
  timeoutMs: number;
  /** Bytes kept of stdout and of stderr each; the rest is dropped and `truncated` set. */
  outputCap: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  /** The signal that ended the process, when one did. */
  signal: string | null;
  durationMs: number;
  truncated: boolean;
  timedOut: boolean;
}

/** Runs an argv on one device. Never a shell string. */
export interface CommandExecutor {
  exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult>;
}

export interface DeviceInventory {
  list(): Device[];
  get(id: string): Device | undefined;
  executor(id: string): CommandExecutor | undefined;
}

export const SERVICE_KINDS = ['http', 'tcp', 'postgres', 'redis'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export interface ServiceDeclaration {
  name: string;
  kind: ServiceKind;
  /** URL (http/https/postgres/redis) or `host:port` for tcp. May hold credentials: never log it raw. */
  target: string;
  deviceId?: string;
  /** How the application itself connects: checks run with these credentials, so they see what the app sees. */
  app?: ServiceAppAccess;
  /** What a check must also see: an HTTP status and body text, a read-only query the app would run. */
  check?: ServiceCheckSpec;
}

/** A secret named, never held: an environment variable or a file, read at check time. */
export type SecretReference = { env: string } | { file: string };

/** PostgreSQL: the app's role and database; Redis: its ACL user; HTTP: Basic auth. */
export interface ServiceAppAccess {
  user: string;
  password?: SecretReference;
  database?: string;
}

export interface ServiceCheckSpec {
  /** HTTP: the status expected (default: any below 400). */
  status?: number;
  /** HTTP: a text the body must contain. */
  body?: string;
  /** PostgreSQL: a read-only query run as the app, inside `BEGIN READ ONLY`, then rolled back. */
  query?: string;
  /** PostgreSQL: statement and lock timeout of that query. */
  timeoutMs?: number;
}

export const HEALTH_FAILURES = [
  'unreachable',
  'timeout',
  'auth',
  'no_slots',
  'write_refused',
  'http_status',
  'body_mismatch',
  'query_failed',
  'query_timeout',
] as const;
export type HealthFailure = (typeof HEALTH_FAILURES)[number];

export interface HealthResult {
  healthy: boolean;
  latencyMs: number;
  detail: string;
  /** Something answered on the endpoint (even a refusal). */
  reachable: boolean;
  /** Checked with the application's own credentials (`app` of the service). */
  asApp: boolean;
  failure?: HealthFailure;
  /** SQLSTATE (53300, 57014, 55P03, …) or the first word of a Redis error (OOM, NOPERM, READONLY). */
  errorCode?: string;
  /** HTTP status answered. */
  statusCode?: number;
}

export interface ServiceChecker {
  check(service: ServiceDeclaration, options: { timeoutMs: number; signal?: AbortSignal }): Promise<HealthResult>;
}

export interface SystemMetrics {
  cpu: { cores: number; usagePercent: number; model: string };
  memory: { totalBytes: number; usedBytes: number; availableBytes: number; usedPercent: number };
  disk: Array<{ mount: string; fs: string; sizeBytes: number; usedBytes: number; usePercent: number }>;
  load: { one: number; five: number; fifteen: number };
  uptimeSeconds: number;
  hostname: string;
  collectedAt: string;
}

export interface SystemMetricsSource {
  collect(signal?: AbortSignal): Promise<SystemMetrics>;
}

/** A request of a page that the network guard refused (an internal address, a scheme other than http(s)). */
export interface BlockedRequest {
  url: string;
  reason: string;
}

export interface PageVisit {
  /** The URL asked for, and the one the page ended on after redirects (each hop checked). */
  url: string;
  finalUrl: string;
  redirects: string[];
  status: number;
  title: string;
  /** The page's visible text, untrusted: data to show or quote, never instructions. */
  text: string;
  textTruncated: boolean;
  blocked: BlockedRequest[];
  navigationMs: number;
  /** PNG of the viewport (or the whole page), when asked for. */
  png?: Uint8Array;
}

export interface VisitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  screenshot?: { fullPage: boolean };
}

/** A headless browser that only reaches addresses the network guard admits. */
export interface WebBrowser {
  visit(url: string, options: VisitOptions): Promise<PageVisit>;
  close(): Promise<void>;
}

export interface ArtifactInfo {
  id: string;
  kind: 'screenshot';
  contentType: string;
  bytes: number;
  sha256: string;
  createdAt: string;
  /** Where it came from (the page's URL, the ticket), for whoever finds it later. */
  source: Record<string, string>;
}

/** Files an agent produced (screenshots), kept by id. */
export interface ArtifactStore {
  save(artifact: {
    kind: ArtifactInfo['kind'];
    contentType: string;
    data: Uint8Array;
    source: Record<string, string>;
  }): Promise<ArtifactInfo>;
  /** Undefined for an unknown id. */
  open(id: string): Promise<{ info: ArtifactInfo; data: Uint8Array } | undefined>;
}
