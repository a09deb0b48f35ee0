// The device inventory of the embedded setup: this machine only, as device `local`.
// SSH devices join through the same DeviceInventory port.
import type { AllowRule, CommandExecutor, Device, DeviceInventory } from '../../core/ports.ts';
import { createLocalExecutor } from './local-executor.ts';

export const LOCAL_DEVICE_ID = 'local';

export function createLocalInventory(options: { allow: AllowRule[] }): DeviceInventory {
  const device: Device = {
    id: LOCAL_DEVICE_ID,
    kind: 'local',
    description: 'The machine TwisterLab runs on',
    allow: options.allow.map((rule) => ({ ...rule, args: [...rule.args] })),
  };
  const executor: CommandExecutor = createLocalExecutor();
  return {
    list: () => [device],
    get: (id) => (id === LOCAL_DEVICE_ID ? device : undefined),
    executor: (id) => (id === LOCAL_DEVICE_ID ? executor : undefined),
  };
}
