// A limit on the commands that run at once on one device, whichever process runs them: every command takes a
// lease on its device first and gives it back when it ends. The leases live behind a port (Redis across workers).
import type { CommandExecutor, DeviceInventory } from './ports.ts';

export interface DeviceLease {
  release(): Promise<void>;
}

export interface DeviceLeases {
  /** Waits for a free lease on the device; throws DEVICE_BUSY when none frees in time, or the signal's reason. */
  acquire(deviceId: string, signal?: AbortSignal): Promise<DeviceLease>;
}

/** The same inventory, whose executors hold a lease on their device for the length of each command. */
export function limitDeviceConcurrency(inventory: DeviceInventory, leases: DeviceLeases): DeviceInventory {
  const wrapped = new Map<string, { inner: CommandExecutor; outer: CommandExecutor }>();
  const wrap = (deviceId: string, inner: CommandExecutor): CommandExecutor => ({
    async exec(argv, options) {
      const lease = await leases.acquire(deviceId, options.signal);
      try {
        return await inner.exec(argv, options);
      } finally {
        await lease.release();
      }
    },
  });
  return {
    list: () => inventory.list(),
    get: (id) => inventory.get(id),
    executor(id) {
      const inner = inventory.executor(id);
      if (!inner) return undefined;
      // Devices change at run time (API registrations): a replaced executor gets a new wrapper.
      let entry = wrapped.get(id);
      if (entry?.inner !== inner) wrapped.set(id, (entry = { inner, outer: wrap(id, inner) }));
      return entry.outer;
    },
  };
}
