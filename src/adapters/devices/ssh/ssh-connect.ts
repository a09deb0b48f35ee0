// Opens one authenticated SSH connection to a device. The host key is checked before anything is sent:
// an untrusted or different key ends the handshake. Failures become typed errors that never carry secrets.
import { readFile } from 'node:fs/promises';
import type { Client, ConnectConfig } from 'ssh2';
import { TwisterError } from '../../../core/errors.ts';
import type { SshDeviceSpec } from '../../../core/device-spec.ts';
import { fingerprintOf, keyTypeOf, trustedHostKey } from './host-key.ts';

export interface ConnectOptions {
  connectTimeoutMs: number;
  /** ssh-agent socket for `auth.method: agent` devices that name none. */
  agentSocket?: string;
  signal?: AbortSignal;
}

export interface PresentedKey {
  fingerprint: string;
  type: string;
  /** `<type> <base64>`: what `hostKey` takes to pin the key and its type. */
  publicKey: string;
}

type Refusal = { kind: 'unknown' | 'mismatch'; presented: PresentedKey } | undefined;

async function readSecret(path: string, what: string, deviceId: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    throw new TwisterError(
      'AUTH_FAILED',
      `device ${deviceId}: cannot read the ${what} file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { device_id: deviceId },
    );
  }
}

async function credentials(spec: SshDeviceSpec, agentSocket: string | undefined): Promise<Partial<ConnectConfig>> {
  const { auth } = spec;
  if (auth.method === 'agent') {
    const agent = auth.socket ?? agentSocket;
    if (!agent)
      throw new TwisterError(
        'AUTH_FAILED',
        `device ${spec.id} uses ssh-agent but no agent socket is known (set auth.socket or SSH_AUTH_SOCK)`,
        { device_id: spec.id },
      );
    return { agent };
  }
  if (auth.method === 'password') {
    return {
      password: auth.password ?? (await readSecret(auth.passwordFile!, 'password', spec.id)),
      tryKeyboard: false,
    };
  }
  const privateKey = await readFile(auth.keyFile).catch((error: NodeJS.ErrnoException) => {
    throw new TwisterError(
      'AUTH_FAILED',
      `device ${spec.id}: cannot read the key file ${auth.keyFile} (${error.code ?? 'error'})`,
      { device_id: spec.id },
    );
  });
  const passphrase =
    auth.passphrase ?? (auth.passphraseFile ? await readSecret(auth.passphraseFile, 'passphrase', spec.id) : undefined);
  return { privateKey, ...(passphrase ? { passphrase } : {}) };
}

function presentedKey(blob: Buffer): PresentedKey {
  const type = keyTypeOf(blob) ?? 'unknown';
  return { fingerprint: fingerprintOf(blob), type, publicKey: `${type} ${blob.toString('base64')}` };
}

function refusalError(spec: SshDeviceSpec, refusal: NonNullable<Refusal>): TwisterError {
  const { presented } = refusal;
  const details = {
    device_id: spec.id,
    presented_fingerprint: presented.fingerprint,
    presented_key_type: presented.type,
  };
  if (refusal.kind === 'unknown') {
    return new TwisterError(
      'HOST_KEY_UNKNOWN',
      `device ${spec.id} (${spec.host}:${spec.port}) presented host key ${presented.fingerprint} (${presented.type}), which is not trusted yet; ` +
        `check it out of band, then trust it (twisterlab devices trust ${spec.id} --fingerprint ${presented.fingerprint})`,
      details,
    );
  }
  return new TwisterError(
    'HOST_KEY_MISMATCH',
    `device ${spec.id} (${spec.host}:${spec.port}) presented host key ${presented.fingerprint} (${presented.type}), ` +
      `not the trusted ${trustedHostKey(spec.hostKey!).fingerprint}: refusing to connect (the host was reinstalled, or someone is in the middle)`,
    { ...details, expected_fingerprint: trustedHostKey(spec.hostKey!).fingerprint },
  );
}

function connectError(
  spec: SshDeviceSpec,
  error: Error & { level?: string; code?: string },
  timeoutMs: number,
): TwisterError {
  const where = `${spec.host}:${spec.port}`;
  const details = { device_id: spec.id, target: where };
  if (error.level === 'client-authentication') {
    return new TwisterError(
      'AUTH_FAILED',
      `device ${spec.id}: ${spec.user}@${where} refused authentication (${spec.auth.method})`,
      details,
    );
  }
  if (error.level === 'client-timeout') {
    return new TwisterError(
      'DEVICE_UNREACHABLE',
      `device ${spec.id}: no SSH handshake with ${where} within ${timeoutMs} ms`,
      details,
    );
  }
  const reason = error.code ?? error.message;
  return new TwisterError('DEVICE_UNREACHABLE', `device ${spec.id}: cannot connect to ${where} (${reason})`, details);
}

/** ssh2 (with its crypto bindings) is loaded on the first connection, not by every process that may make one. */
async function newClient(): Promise<Client> {
  const { Client } = await import('ssh2');
  return new Client();
}

/** Resolves with a ready (authenticated) client; the caller owns it and ends it. */
export async function openSshConnection(spec: SshDeviceSpec, options: ConnectOptions): Promise<Client> {
  if (options.signal?.aborted) throw new TwisterError('CAPABILITY_ABORTED', `connecting to ${spec.id} was cancelled`);
  const auth = await credentials(spec, options.agentSocket);
  const trusted = spec.hostKey ? trustedHostKey(spec.hostKey) : undefined;
  let refusal: Refusal;
  const client = await newClient();
  const config: ConnectConfig = {
    host: spec.host,
    port: spec.port,
    username: spec.user,
    readyTimeout: options.connectTimeoutMs,
    keepaliveInterval: 15_000,
    keepaliveCountMax: 3,
    ...auth,
    ...(trusted?.algorithms
      ? {
          algorithms: {
            serverHostKey: trusted.algorithms as NonNullable<ConnectConfig['algorithms']>['serverHostKey'],
          },
        }
      : {}),
    hostVerifier: (blob: Buffer) => {
      const presented = presentedKey(blob);
      if (!trusted) refusal = { kind: 'unknown', presented };
      else if (presented.fingerprint !== trusted.fingerprint) refusal = { kind: 'mismatch', presented };
      return refusal === undefined;
    },
  };
  return await new Promise<Client>((resolve, reject) => {
    const onAbort = () => {
      client.end();
      reject(new TwisterError('CAPABILITY_ABORTED', `connecting to ${spec.id} was cancelled`));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => options.signal?.removeEventListener('abort', onAbort);
    client.once('ready', () => {
      done();
      resolve(client);
    });
    // `on`, not `once`: a client can emit more than one error while it winds down, and an unheard one crashes.
    client.on('error', (error: Error & { level?: string }) => {
      done();
      client.end();
      reject(refusal ? refusalError(spec, refusal) : connectError(spec, error, options.connectTimeoutMs));
    });
    try {
      client.connect(config);
    } catch (error) {
      done();
      // ssh2 throws synchronously on a key it cannot parse (or decrypt): never echo the passphrase.
      reject(
        new TwisterError(
          'AUTH_FAILED',
          `device ${spec.id}: the private key cannot be used (${(error as Error).message.slice(0, 200)})`,
          { device_id: spec.id },
        ),
      );
    }
  });
}

/** The host key a server presents, without authenticating: what the user checks before trusting it. */
export async function scanHostKey(host: string, port: number, timeoutMs: number): Promise<PresentedKey> {
  let presented: PresentedKey | undefined;
  const client = await newClient();
  return await new Promise<PresentedKey>((resolve, reject) => {
    const finish = (error?: Error & { level?: string; code?: string }) => {
      client.end();
      if (presented) resolve(presented);
      else reject(connectError({ id: 'scan', host, port } as SshDeviceSpec, error ?? new Error('closed'), timeoutMs));
    };
    client.on('error', finish);
    client.once('ready', () => finish());
    client.connect({
      host,
      port,
      username: 'twisterlab-scan',
      readyTimeout: timeoutMs,
      hostVerifier: (blob: Buffer) => {
        presented = presentedKey(blob);
        return false;
      },
    });
  });
}
