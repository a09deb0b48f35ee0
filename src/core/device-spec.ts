// SSH devices of the inventory: the one schema shared by the inventory file and the REST API, and its
// normalised form. Secrets may sit inline only in the file; the API (and so the database) takes paths.
import { z } from 'zod';
import { parseAllowRule } from './allowlist.ts';
import { RISKS } from './capability.ts';
import { TwisterError } from './errors.ts';
import type { AllowRule } from './ports.ts';
import { describeIssues } from './validation.ts';

export const LOCAL_DEVICE_ID = 'local';
export const MAX_DEVICE_CONCURRENCY = 8;

const DEVICE_ID = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const TAG = /^[A-Za-z0-9][A-Za-z0-9_.:=-]{0,63}$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[?[0-9A-Fa-f:.]+\]?)$/;
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const KEY_TYPE =
  /^(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$/;
const KEY_BLOB = /^[A-Za-z0-9+/]+={0,2}$/;

const path = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'must not contain a NUL byte');

const authSchema = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('key'),
    keyFile: path,
    passphrase: z.string().min(1).optional(),
    passphraseFile: path.optional(),
  }),
  z.strictObject({ method: z.literal('agent'), socket: path.optional() }),
  z.strictObject({
    method: z.literal('password'),
    password: z.string().min(1).optional(),
    passwordFile: path.optional(),
  }),
]);
export type SshAuth = z.output<typeof authSchema>;

const allowEntry = z.union([
  z.string().min(1).max(1024),
  z.strictObject({ rule: z.string().min(1).max(1024), risk: z.enum(RISKS).optional() }),
]);

/** What a client writes (file entry or API body). */
export const deviceInputSchema = z.strictObject({
  id: z
    .string()
    .regex(
      DEVICE_ID,
      'must be lower-case letters, digits, "_", "." or "-" (at most 64), starting with a letter or digit',
    ),
  description: z.string().max(500).default(''),
  host: z.string().min(1).max(253).regex(HOST, 'must be a host name or an IP address'),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().regex(USER, 'must be a plain user name'),
  auth: authSchema,
  /** Allows `auth.method: password`; off by default because keys and agents are safer. */
  allowPassword: z.boolean().default(false),
  hostKey: z.string().max(16_384).nullable().default(null),
  tags: z.array(z.string().regex(TAG, 'must be letters, digits and "_.:=-"')).max(32).default([]),
  allow: z.array(allowEntry).max(500).default([]),
  maxConcurrency: z.number().int().min(1).max(MAX_DEVICE_CONCURRENCY).default(4),
  connectTimeoutMs: z.number().int().min(100).max(120_000).optional(),
  /** Services that live on the device: name → URL as seen from the device (`http://127.0.0.1:8080/health`). */
  services: z.record(z.string(), z.string().min(1).max(2048)).default({}),
});
export type DeviceInput = z.input<typeof deviceInputSchema>;

export interface SshDeviceSpec {
  id: string;
  description: string;
  host: string;
  port: number;
  user: string;
  auth: SshAuth;
  allowPassword: boolean;
  /** `SHA256:…` fingerprint or `<type> <base64>` public key; null until the user trusts one. */
  hostKey: string | null;
  tags: string[];
  allow: AllowRule[];
  maxConcurrency: number;
  connectTimeoutMs?: number;
  services: Record<string, string>;
}

export type DeviceOrigin = 'file' | 'api';

function invalid(id: string | undefined, problem: string, details: Record<string, unknown> = {}): never {
  throw new TwisterError('VALIDATION_FAILED', `device ${id ? `"${id}"` : '(no id)'}: ${problem}`, {
    ...(id ? { device_id: id } : {}),
    ...details,
  });
}

/**
 * Accepts `SHA256:<base64>` (as `ssh-keygen -lf` prints), `<type> <base64> [comment]` (a .pub file) or a
 * known_hosts / ssh-keyscan line `<hosts> <type> <base64>`; returns the fingerprint or `<type> <base64>`.
 */
export function normaliseHostKey(text: string): string | undefined {
  const trimmed = text.trim();
  if (FINGERPRINT.test(trimmed)) return trimmed;
  const words = trimmed.split(/\s+/);
  const at = KEY_TYPE.test(words[0] ?? '') ? 0 : KEY_TYPE.test(words[1] ?? '') ? 1 : -1;
  if (at < 0 || !KEY_BLOB.test(words[at + 1] ?? '')) return undefined;
  return `${words[at]} ${words[at + 1]}`;
}

function parseRules(id: string, entries: z.output<typeof deviceInputSchema>['allow']): AllowRule[] {
  return entries.map((entry, index) => {
    const text = typeof entry === 'string' ? entry : entry.rule;
    try {
      const rule = parseAllowRule(text);
      return typeof entry === 'string' || !entry.risk ? rule : { ...rule, risk: entry.risk };
    } catch (error) {
      return invalid(id, `allow[${index}]: ${(error as Error).message}`);
    }
  });
}

function checkAuth(id: string, input: z.output<typeof deviceInputSchema>, origin: DeviceOrigin): void {
  const { auth } = input;
  if (auth.method === 'password' && !input.allowPassword) {
    invalid(
      id,
      'password authentication is off: use auth.method "key" or "agent", or set allowPassword: true if you must',
    );
  }
  if (auth.method === 'password' && !auth.password === !auth.passwordFile)
    invalid(id, 'auth needs exactly one of password or passwordFile');
  if (auth.method === 'key' && auth.passphrase && auth.passphraseFile)
    invalid(id, 'auth takes passphrase or passphraseFile, not both');
  const inline = (auth.method === 'password' && auth.password) || (auth.method === 'key' && auth.passphrase);
  if (inline && origin === 'api') {
    invalid(
      id,
      'secrets are not stored through the API: use passwordFile / passphraseFile (a path), or declare the device in the inventory file',
    );
  }
}

/** Validates one device entry and returns its normalised form; errors name the device and the field. */
export function parseDeviceSpec(value: unknown, origin: DeviceOrigin): SshDeviceSpec {
  const guessedId = typeof (value as { id?: unknown })?.id === 'string' ? (value as { id: string }).id : undefined;
  const parsed = deviceInputSchema.safeParse(value);
  if (!parsed.success)
    invalid(guessedId, describeIssues(parsed.error), {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    });
  const input = parsed.data;
  if (input.id === LOCAL_DEVICE_ID)
    invalid(input.id, `"${LOCAL_DEVICE_ID}" is the machine TwisterLab runs on and cannot be redefined`);
  checkAuth(input.id, input, origin);
  let hostKey: string | null = null;
  if (input.hostKey !== null) {
    hostKey =
      normaliseHostKey(input.hostKey) ??
      invalid(input.id, 'hostKey must be a SHA256:… fingerprint, a public key "<type> <base64>" or a known_hosts line');
  }
  for (const name of Object.keys(input.services)) {
    if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(name))
      invalid(input.id, `service name "${name}" must be letters, digits, "_", "." or "-"`);
  }
  return {
    id: input.id,
    description: input.description,
    host: input.host.replace(/^\[|\]$/g, ''),
    port: input.port,
    user: input.user,
    auth: input.auth,
    allowPassword: input.allowPassword,
    hostKey,
    tags: [...new Set(input.tags)],
    allow: parseRules(input.id, input.allow),
    maxConcurrency: input.maxConcurrency,
    ...(input.connectTimeoutMs ? { connectTimeoutMs: input.connectTimeoutMs } : {}),
    services: input.services,
  };
}

/** The device as the API shows it: the same shape a client writes, with inline secrets replaced by a marker. */
export function toDeviceView(spec: SshDeviceSpec): Record<string, unknown> {
  const { auth } = spec;
  const safeAuth =
    auth.method === 'password'
      ? {
          method: auth.method,
          ...(auth.passwordFile ? { passwordFile: auth.passwordFile } : { password: '[redacted]' }),
        }
      : auth.method === 'key'
        ? {
            method: auth.method,
            keyFile: auth.keyFile,
            ...(auth.passphraseFile ? { passphraseFile: auth.passphraseFile } : {}),
            ...(auth.passphrase ? { passphrase: '[redacted]' } : {}),
          }
        : { ...auth };
  return {
    id: spec.id,
    description: spec.description,
    host: spec.host,
    port: spec.port,
    user: spec.user,
    auth: safeAuth,
    allowPassword: spec.allowPassword,
    hostKey: spec.hostKey,
    tags: spec.tags,
    allow: spec.allow.map((r) => ({ rule: [r.program, ...r.args].join(' '), ...(r.risk ? { risk: r.risk } : {}) })),
    maxConcurrency: spec.maxConcurrency,
    ...(spec.connectTimeoutMs ? { connectTimeoutMs: spec.connectTimeoutMs } : {}),
    services: spec.services,
  };
}

/** The store port for devices registered through the API. */
export interface DeviceRepository {
  listDevices(): Promise<SshDeviceSpec[]>;
  /** Throws DEVICE_EXISTS when the id is taken. */
  insertDevice(spec: SshDeviceSpec): Promise<void>;
  /** False when no such device is stored. */
  updateDevice(spec: SshDeviceSpec): Promise<boolean>;
  deleteDevice(id: string): Promise<boolean>;
}

export type DeviceSource = 'builtin' | 'file' | 'api';

/** A device as the API lists it: its definition (secrets redacted) and where it comes from. */
export interface DeviceView {
  id: string;
  kind: 'local' | 'ssh';
  source: DeviceSource;
  definition: Record<string, unknown>;
}

export interface PresentedHostKey {
  fingerprint: string;
  type: string;
  publicKey: string;
}

/** Managing the inventory: what the REST routes and the CLI need. File and built-in devices are read-only. */
export interface DeviceAdmin {
  views(): DeviceView[];
  view(id: string): DeviceView | undefined;
  add(input: unknown): Promise<DeviceView>;
  replace(id: string, input: unknown): Promise<DeviceView>;
  remove(id: string): Promise<void>;
  /** The host key the device presents now, without logging in. */
  scanHostKey(id: string): Promise<PresentedHostKey>;
  /** Trusts the presented key only if its fingerprint is the one the user checked out of band. */
  trustHostKey(id: string, expectedFingerprint: string): Promise<DeviceView>;
}
