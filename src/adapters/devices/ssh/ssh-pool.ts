// One SSH connection per device, shared by its commands as channels, with at most `maxConcurrency` commands
// at a time per device (the rest wait their turn). A connection that breaks is dropped and reopened on the
// next command; one left idle is closed. A user that finds the connection unfit (a session it cannot close) retires
// it: new work gets a fresh connection and the old one is closed once its last user is done.
import type { Client } from 'ssh2';
import { TwisterError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { SshDeviceSpec } from '../../../core/device-spec.ts';
import { openSshConnection } from './ssh-connect.ts';

export interface SshPoolOptions {
  connectTimeoutMs: number;
  /** Close a device's connection after this long without a command; default 60 s. */
  idleMs?: number;
  agentSocket?: string;
  logger: Logger;
}

/** One SSH connection and how many calls hold it; a retired one is closed when the last of them is done. */
interface Connection {
  client: Promise<Client>;
  users: number;
  retired: boolean;
}

/** Given to each user of a connection: retire it when it holds something only closing the connection releases. */
export interface ConnectionLease {
  retire(): void;
}

interface Slot {
  spec: SshDeviceSpec;
  connection?: Connection;
  active: number;
  waiting: Array<() => void>;
  idleTimer?: NodeJS.Timeout;
}

export class SshPool {
  private readonly slots = new Map<string, Slot>();
  private closed = false;

  constructor(private readonly options: SshPoolOptions) {}

  /** Runs `use` with the device's connection once a slot is free; the slot is released when it settles. */
  async withConnection<T>(
    spec: SshDeviceSpec,
    signal: AbortSignal | undefined,
    use: (client: Client, lease: ConnectionLease) => Promise<T>,
  ): Promise<T> {
    if (this.closed) throw new TwisterError('SHUTTING_DOWN', 'the SSH pool is closed');
    const slot = this.slotFor(spec);
    await this.acquire(slot, signal);
    let connection: Connection | undefined;
    try {
      const held = this.connection(slot);
      connection = held;
      held.users += 1;
      const client = await untilAborted(held.client, signal);
      return await use(client, { retire: () => this.retire(slot, held) });
    } finally {
      if (connection) {
        connection.users -= 1;
        if (connection.retired && connection.users === 0) endConnection(connection);
      }
      this.release(slot);
    }
  }

  /** Commands running on a device right now (for tests and metrics). */
  active(deviceId: string): number {
    return this.slots.get(deviceId)?.active ?? 0;
  }

  /** Drops a device's connection (its definition changed or it was removed); running commands finish first. */
  forget(deviceId: string): void {
    const slot = this.slots.get(deviceId);
    if (!slot) return;
    this.slots.delete(deviceId);
    clearTimeout(slot.idleTimer);
    if (slot.active === 0) this.end(slot);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.slots.keys()]) this.forget(id);
  }

  private slotFor(spec: SshDeviceSpec): Slot {
    let slot = this.slots.get(spec.id);
    if (slot && slot.spec !== spec) {
      this.forget(spec.id);
      slot = undefined;
    }
    if (!slot) {
      slot = { spec, active: 0, waiting: [] };
      this.slots.set(spec.id, slot);
    }
    return slot;
  }

  private acquire(slot: Slot, signal: AbortSignal | undefined): Promise<void> {
    clearTimeout(slot.idleTimer);
    if (slot.active < slot.spec.maxConcurrency) {
      slot.active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        slot.waiting = slot.waiting.filter((w) => w !== take);
        reject(new TwisterError('CAPABILITY_ABORTED', `gave up waiting for a free slot on ${slot.spec.id}`));
      };
      // The releasing command hands its slot over: `active` stays the same.
      const take = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      slot.waiting.push(take);
    });
  }

  private release(slot: Slot): void {
    const next = slot.waiting.shift();
    if (next) return next();
    slot.active -= 1;
    if (slot.active > 0) return;
    if (this.slots.get(slot.spec.id) !== slot) return this.end(slot);
    slot.idleTimer = setTimeout(() => this.end(slot), this.options.idleMs ?? 60_000);
    slot.idleTimer.unref();
  }

  private connection(slot: Slot): Connection {
    if (!slot.connection) {
      const opening = openSshConnection(slot.spec, {
        connectTimeoutMs: slot.spec.connectTimeoutMs ?? this.options.connectTimeoutMs,
        ...(this.options.agentSocket ? { agentSocket: this.options.agentSocket } : {}),
      });
      const connection: Connection = { client: opening, users: 0, retired: false };
      slot.connection = connection;
      const drop = () => {
        if (slot.connection === connection) slot.connection = undefined;
      };
      opening.then((client) => {
        client.on('close', drop);
        client.on('error', (error: Error) => {
          this.options.logger.warn({ device: slot.spec.id, err: error.message }, 'SSH connection lost');
          drop();
        });
      }, drop);
    }
    return slot.connection;
  }

  /** New work opens a new connection; this one closes when its last user is done (at once if none is left). */
  private retire(slot: Slot, connection: Connection): void {
    if (connection.retired) return;
    connection.retired = true;
    if (slot.connection === connection) slot.connection = undefined;
    this.options.logger.warn({ device: slot.spec.id }, 'SSH connection retired: a session on it could not be released');
    if (connection.users === 0) endConnection(connection);
  }

  private end(slot: Slot): void {
    const connection = slot.connection;
    slot.connection = undefined;
    if (connection) endConnection(connection);
  }
}

function endConnection(connection: Connection): void {
  connection.client.then(
    (client) => client.end(),
    () => undefined,
  );
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted)
    return Promise.reject(new TwisterError('CAPABILITY_ABORTED', 'the command was cancelled before it started'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new TwisterError('CAPABILITY_ABORTED', 'the command was cancelled before it started'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
