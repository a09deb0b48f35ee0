// The files agent: disk usage of a directory and rotation of its logs, on this machine or an SSH device (SFTP),
// under the same roots and path rules as backups and syncs.
import { defineAgent } from '../../core/capability.ts';
import { directoryUsage } from './directory-usage.ts';
import type { FilesDeps } from './files-deps.ts';
import { rotateLogs } from './rotate-logs.ts';

export type { FilesDeps } from './files-deps.ts';

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. */
export const filesAgent = {
  id: 'files',
  description: 'Measures directory usage and rotates logs, locally or on SSH devices over SFTP',
  capabilities: [directoryUsage, rotateLogs],
};

export function createFilesAgent(deps: FilesDeps) {
  return defineAgent({ ...filesAgent, deps });
}
