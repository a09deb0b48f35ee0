// Opens the file tree of a device: `local` directly, an SSH device through an SFTP session on its pooled
// connection (no second connection, no second trust path), closed when the work is done.
import type { Client, SFTPWrapper } from 'ssh2';
import type { SshDeviceSpec } from '../../core/device-spec.ts';
import { TwisterError } from '../../core/errors.ts';
import type { FileTrees } from '../../core/file-tree.ts';
import type { ConnectionLease, SshPool } from '../devices/ssh/ssh-pool.ts';
import { createLocalTree } from './local-tree.ts';
import { createSftpTree } from './sftp-tree.ts';

/**
 * Starts an SFTP session. When the start fails (no sftp subsystem, a server that refuses it) ssh2 keeps the
 * session channel open and gives no handle to close it; sshd counts it against MaxSessions, so ten failures would
 * lock every command out of the device. Only closing the connection frees it: the connection is retired.
 * A session that arrives after an abort is ended at once.
 */
function startSftp(
  client: Client,
  lease: ConnectionLease,
  deviceId: string,
  signal: AbortSignal | undefined,
): Promise<SFTPWrapper> {
  return new Promise<SFTPWrapper>((resolve, reject) => {
    let settled = false;
    const fail = (error: TwisterError) => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      lease.retire();
      reject(error);
    };
    const onAbort = () => fail(new TwisterError('CAPABILITY_ABORTED', `cancelled while starting SFTP on ${deviceId}`));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      client.sftp((error, sftp) => {
        if (settled) {
          sftp?.end();
          return;
        }
        if (error)
          return fail(
            new TwisterError('COMMAND_FAILED', `could not start SFTP on ${deviceId}: ${error.message}`, {
              device_id: deviceId,
            }),
          );
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        resolve(sftp);
      });
    } catch (error) {
      // ssh2 throws at once when the connection is no longer writable.
      fail(
        new TwisterError('COMMAND_FAILED', `could not start SFTP on ${deviceId}: ${(error as Error).message}`, {
          device_id: deviceId,
        }),
      );
    }
  });
}

export function createDeviceFileTrees(options: {
  pool: SshPool;
  spec: (deviceId: string) => SshDeviceSpec | undefined;
  isLocal: (deviceId: string) => boolean;
}): FileTrees {
  const local = createLocalTree();
  return {
    withTree: async (deviceId, signal, use) => {
      if (options.isLocal(deviceId)) return use(local);
      const spec = options.spec(deviceId);
      if (!spec)
        throw new TwisterError('DEVICE_NOT_FOUND', `no device "${deviceId}" in the inventory`, { device_id: deviceId });
      return options.pool.withConnection(spec, signal, async (client, lease) => {
        const sftp = await startSftp(client, lease, deviceId, signal);
        try {
          return await use(createSftpTree(sftp));
        } finally {
          sftp.end();
        }
      });
    },
  };
}
