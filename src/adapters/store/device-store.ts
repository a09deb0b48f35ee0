// The device repository on Drizzle (PGlite or PostgreSQL): one row per SSH device registered through the API.
import { asc, eq, sql } from 'drizzle-orm';
import type { InferSelectModel } from 'drizzle-orm';
import type { Risk } from '../../core/capability.ts';
import type { DeviceRepository, SshAuth, SshDeviceSpec } from '../../core/device-spec.ts';
import { TwisterError } from '../../core/errors.ts';
import { devices } from './schema.ts';
import { guardStoreErrors } from './store-errors.ts';
import type { StoreDatabase } from './ticket-store.ts';

type DeviceRow = InferSelectModel<typeof devices>;

function toSpec(row: DeviceRow): SshDeviceSpec {
  return {
    id: row.id,
    description: row.description,
    host: row.host,
    port: row.port,
    user: row.username,
    auth: row.auth as unknown as SshAuth,
    allowPassword: row.allowPassword,
    hostKey: row.hostKey,
    tags: row.tags,
    allow: row.allow.map((r) => ({ program: r.program, args: r.args, ...(r.risk ? { risk: r.risk as Risk } : {}) })),
    maxConcurrency: row.maxConcurrency,
    ...(row.connectTimeoutMs ? { connectTimeoutMs: row.connectTimeoutMs } : {}),
    services: row.services,
  };
}

function toValues(spec: SshDeviceSpec) {
  // Inline secrets never reach the database (the API refuses them; this is the last line).
  const { password: _password, passphrase: _passphrase, ...auth } = spec.auth as Record<string, string>;
  return {
    id: spec.id,
    description: spec.description,
    host: spec.host,
    port: spec.port,
    username: spec.user,
    auth,
    allowPassword: spec.allowPassword,
    hostKey: spec.hostKey,
    tags: spec.tags,
    allow: spec.allow,
    maxConcurrency: spec.maxConcurrency,
    connectTimeoutMs: spec.connectTimeoutMs ?? null,
    services: spec.services,
  };
}

export class DrizzleDeviceStore implements DeviceRepository {
  constructor(private readonly db: StoreDatabase) {}

  listDevices(): Promise<SshDeviceSpec[]> {
    return guardStoreErrors(async () => (await this.db.select().from(devices).orderBy(asc(devices.id))).map(toSpec));
  }

  insertDevice(spec: SshDeviceSpec): Promise<void> {
    return guardStoreErrors(async () => {
      const inserted = await this.db
        .insert(devices)
        .values(toValues(spec))
        .onConflictDoNothing()
        .returning({ id: devices.id });
      if (inserted.length === 0)
        throw new TwisterError('DEVICE_EXISTS', `a device with id "${spec.id}" already exists`, { device_id: spec.id });
    });
  }

  updateDevice(spec: SshDeviceSpec): Promise<boolean> {
    return guardStoreErrors(async () => {
      const { id: _id, ...values } = toValues(spec);
      const updated = await this.db
        .update(devices)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(devices.id, spec.id))
        .returning({ id: devices.id });
      return updated.length > 0;
    });
  }

  deleteDevice(id: string): Promise<boolean> {
    return guardStoreErrors(
      async () => (await this.db.delete(devices).where(eq(devices.id, id)).returning({ id: devices.id })).length > 0,
    );
  }
}
