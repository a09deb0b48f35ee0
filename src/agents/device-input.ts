// The `device_id` input of capabilities that act on one device's files, `local` when not given.
import { z } from 'zod';

export const deviceIdInput = z
  .string()
  .min(1)
  .max(128)
  .default('local')
  .describe('A device of the inventory; "local" (the default) is the machine TwisterLab runs on');
