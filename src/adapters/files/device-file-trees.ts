// Opens the file tree of a device: `local` directly, an SSH device through an SFTP session on its pooled
// connection (no second connection, no second trust path), closed when the work is done.
import type { SFTPWrapper } from 'ssh2';
import type { SshDeviceSpec } from '../../core/device-spec.ts';
import { TwisterError } from '../../core/errors.ts';
import type { FileTrees } from '../../core/file-tree.ts';
import type { SshPool } from '../devices/ssh/ssh-pool.ts';
import { createLocalTree } from './local-tree.ts';
import { createSftpTree } from './sftp-tree.ts';

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
      if (!spec) throw new TwisterError('DEVICE_NOT_FOUND', `no device "${deviceId}" in the inventory`, { device_id: deviceId });
      return options.pool.withConnection(spec, signal, async (client) => {
        const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s))));
        try {
          return await use(createSftpTree(sftp));
        } finally {
          sftp.end();
        }
      });
    },
  };
}
