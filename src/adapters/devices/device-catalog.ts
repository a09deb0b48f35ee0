// The device inventory: `local`, the devices of the inventory file and those registered through the API
// (kept in the database). It serves the commander (DeviceInventory) and the API (DeviceAdmin); changes to
// API devices go to the database first, then to the in-memory view the agents read.
import {
  LOCAL_DEVICE_ID,
  parseDeviceSpec,
  toDeviceView,
  type DeviceAdmin,
  type DeviceRepository,
  type DeviceSource,
  type DeviceView,
  type PresentedHostKey,
  type SshDeviceSpec,
} from '../../core/device-spec.ts';
import { TwisterError } from '../../core/errors.ts';
import type { AllowRule, CommandExecutor, Device, DeviceInventory } from '../../core/ports.ts';
import { createLocalExecutor } from './local-executor.ts';
import type { SpawnHelperKind } from './spawn-helper.ts';
import { scanHostKey } from './ssh/ssh-connect.ts';
import { createSshExecutor } from './ssh/ssh-executor.ts';
import type { SshPool } from './ssh/ssh-pool.ts';

export interface DeviceCatalogOptions {
  localAllow: AllowRule[];
  fileDevices: SshDeviceSpec[];
  repository: DeviceRepository;
  pool: SshPool;
  connectTimeoutMs: number;
  /** Where the local device looks programs up (TWISTERLAB_LOCAL_PATH); the safe default PATH when unset. */
  localPath?: string;
  /** Which spawn helper starts the local device's commands (TWISTERLAB_SPAWN_HELPER, resolved). */
  spawnHelper?: SpawnHelperKind;
}

interface Entry {
  device: Device;
  source: DeviceSource;
  spec?: SshDeviceSpec;
  executor: CommandExecutor;
}

function toDevice(spec: SshDeviceSpec): Device {
  return {
    id: spec.id,
    kind: 'ssh',
    description: spec.description || `${spec.user}@${spec.host}`,
    allow: spec.allow,
    tags: spec.tags,
    address: `${spec.user}@${spec.host}:${spec.port}`,
  };
}

export class DeviceCatalog implements DeviceInventory, DeviceAdmin {
  private readonly entries = new Map<string, Entry>();

  private constructor(private readonly options: DeviceCatalogOptions) {
    const local: Device = {
      id: LOCAL_DEVICE_ID,
      kind: 'local',
      description: 'The machine TwisterLab runs on',
      tags: [],
      allow: options.localAllow.map((rule) => ({ ...rule, args: [...rule.args] })),
    };
    this.entries.set(LOCAL_DEVICE_ID, {
      device: local,
      source: 'builtin',
      executor: createLocalExecutor(options.localPath, options.spawnHelper ? { helper: options.spawnHelper } : {}),
    });
    for (const spec of options.fileDevices) this.put(spec, 'file');
  }

  /** Loads the API devices from the repository; a stored id that the file also declares is a start-up error. */
  static async open(options: DeviceCatalogOptions): Promise<DeviceCatalog> {
    const catalog = new DeviceCatalog(options);
    for (const spec of await options.repository.listDevices()) {
      if (catalog.entries.has(spec.id)) {
        throw new TwisterError(
          'CONFIG_INVALID',
          `device "${spec.id}" is declared in TWISTERLAB_DEVICES_FILE and registered through the API; remove one`,
          { device_id: spec.id },
        );
      }
      catalog.put(spec, 'api');
    }
    return catalog;
  }

  list(): Device[] {
    return [...this.entries.values()].map((e) => e.device);
  }

  get(id: string): Device | undefined {
    return this.entries.get(id)?.device;
  }

  executor(id: string): CommandExecutor | undefined {
    return this.entries.get(id)?.executor;
  }

  /** The SSH definition of a device (for tunnels and metrics), undefined for `local`. */
  spec(id: string): SshDeviceSpec | undefined {
    return this.entries.get(id)?.spec;
  }

  views(): DeviceView[] {
    return [...this.entries.values()].map((e) => this.toView(e));
  }

  view(id: string): DeviceView | undefined {
    const entry = this.entries.get(id);
    return entry ? this.toView(entry) : undefined;
  }

  async add(input: unknown): Promise<DeviceView> {
    const spec = parseDeviceSpec(input, 'api');
    if (this.entries.has(spec.id))
      throw new TwisterError('DEVICE_EXISTS', `a device with id "${spec.id}" already exists`, { device_id: spec.id });
    await this.options.repository.insertDevice(spec);
    return this.toView(this.put(spec, 'api'));
  }

  async replace(id: string, input: unknown): Promise<DeviceView> {
    this.editable(id);
    const spec = parseDeviceSpec({ ...(input as object), id }, 'api');
    if (!(await this.options.repository.updateDevice(spec))) throw this.notFound(id);
    return this.toView(this.put(spec, 'api'));
  }

  async remove(id: string): Promise<void> {
    this.editable(id);
    await this.options.repository.deleteDevice(id);
    this.entries.delete(id);
    this.options.pool.forget(id);
  }

  async scanHostKey(id: string): Promise<PresentedHostKey> {
    const spec = this.sshSpec(id);
    return scanHostKey(spec.host, spec.port, spec.connectTimeoutMs ?? this.options.connectTimeoutMs);
  }

  async trustHostKey(id: string, expectedFingerprint: string): Promise<DeviceView> {
    const spec = this.editable(id);
    const presented = await this.scanHostKey(id);
    if (presented.fingerprint !== expectedFingerprint.trim()) {
      throw new TwisterError(
        'HOST_KEY_MISMATCH',
        `device ${id} presents ${presented.fingerprint}, not the ${expectedFingerprint.trim()} you expect: nothing was trusted`,
        {
          device_id: id,
          presented_fingerprint: presented.fingerprint,
          expected_fingerprint: expectedFingerprint.trim(),
        },
      );
    }
    // The public key, not only its fingerprint, so the key type is pinned too.
    const trusted = { ...spec, hostKey: presented.publicKey };
    if (!(await this.options.repository.updateDevice(trusted))) throw this.notFound(id);
    return this.toView(this.put(trusted, 'api'));
  }

  private put(spec: SshDeviceSpec, source: DeviceSource): Entry {
    const entry: Entry = {
      device: toDevice(spec),
      source,
      spec,
      executor: createSshExecutor(() => entry.spec!, this.options.pool),
    };
    this.entries.set(spec.id, entry);
    this.options.pool.forget(spec.id);
    return entry;
  }

  private sshSpec(id: string): SshDeviceSpec {
    const entry = this.entries.get(id);
    if (!entry) throw this.notFound(id);
    if (!entry.spec)
      throw new TwisterError(
        'DEVICE_READ_ONLY',
        `device ${id} is the machine TwisterLab runs on; it has no SSH definition`,
        { device_id: id },
      );
    return entry.spec;
  }

  private editable(id: string): SshDeviceSpec {
    const spec = this.sshSpec(id);
    const source = this.entries.get(id)!.source;
    if (source !== 'api') {
      throw new TwisterError(
        'DEVICE_READ_ONLY',
        `device ${id} is declared in TWISTERLAB_DEVICES_FILE: change it there and restart`,
        { device_id: id, source },
      );
    }
    return spec;
  }

  private notFound(id: string): TwisterError {
    return new TwisterError('DEVICE_NOT_FOUND', `no device "${id}" in the inventory`, {
      device_id: id,
      known: [...this.entries.keys()],
    });
  }

  private toView(entry: Entry): DeviceView {
    const definition = entry.spec
      ? toDeviceView(entry.spec)
      : {
          id: entry.device.id,
          description: entry.device.description,
          allow: entry.device.allow.map((r) => ({
            rule: [r.program, ...r.args].join(' '),
            ...(r.risk ? { risk: r.risk } : {}),
          })),
        };
    return { id: entry.device.id, kind: entry.device.kind, source: entry.source, definition };
  }
}
