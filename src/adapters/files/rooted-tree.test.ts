// The one place each tree kind keeps writes under their root: links at every depth, dangling links, a link swapped
// in while a write is under way; local and over SFTP on a real sshd. Each case checks the file system afterwards.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SFTPWrapper } from 'ssh2';
import type { FileTree } from '../../core/file-tree.ts';
import { silentLogger } from '../../core/logger.ts';
import { startTestSshd, type TestSshd } from '../../../test/helpers/sshd.ts';
import { SshPool } from '../devices/ssh/ssh-pool.ts';
import { createDeviceFileTrees } from './device-file-trees.ts';
import { createLocalTree } from './local-tree.ts';
import { createSftpRootedTree } from './sftp-rooted.ts';

let sshd: TestSshd;
let pool: SshPool;
let base: string;
let root: string;
let outside: string;

beforeAll(async () => {
  sshd = await startTestSshd({ extraConfig: ['Subsystem sftp internal-sftp'], logCommands: false });
  pool = new SshPool({ connectTimeoutMs: 5_000, logger: silentLogger });
});
afterAll(async () => {
  await pool?.close();
  await sshd?.stop();
});
beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'twisterlab-rooted-'));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'victim.txt'), 'untouched');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const outsideNames = () => readdirSync(outside).sort();
const refused = { code: 'PATH_NOT_ALLOWED' };

describe.each(['local', 'sftp'])('writes under a root (%s tree)', (kind) => {
  const spec = () => sshd.device({ id: 'edge' });
  const withTree = <T>(use: (tree: FileTree) => Promise<T>) =>
    createDeviceFileTrees({ pool, spec, isLocal: (id) => id === 'local' }).withTree(
      kind === 'local' ? 'local' : 'edge',
      undefined,
      use,
    );

  it('writes, creates parents, renames and removes inside the root', async () => {
    await withTree(async (tree) => {
      const out = tree.under(root);
      await out.writeAtomic('a/b/c.txt', Buffer.from('hello'), 0o640);
      await out.rename('a/b/c.txt', 'a/d.txt');
      await out.mkdir('e/f', 0o700);
      await out.remove('e/f');
    });
    expect(readFileSync(path.join(root, 'a/d.txt'), 'utf8')).toBe('hello');
    expect(lstatSync(path.join(root, 'a/d.txt')).mode & 0o777).toBe(0o640);
    expect(existsSync(path.join(root, 'e/f'))).toBe(false);
    expect(readdirSync(path.join(root, 'a/b'))).toEqual([]);
  });

  it('refuses a link at the first, a middle and the last directory of the path, and writes nothing outside', async () => {
    symlinkSync(outside, path.join(root, 'top'));
    mkdirSync(path.join(root, 'mid/deeper'), { recursive: true });
    symlinkSync(outside, path.join(root, 'mid/link'));
    symlinkSync(outside, path.join(root, 'mid/deeper/last'));
    await withTree(async (tree) => {
      const out = tree.under(root);
      for (const rel of ['top/evil.txt', 'mid/link/evil.txt', 'mid/link/new/evil.txt', 'mid/deeper/last/evil.txt']) {
        await expect(out.writeAtomic(rel, Buffer.from('evil'), 0o644), rel).rejects.toMatchObject(refused);
        await expect(out.mkdir(`${path.posix.dirname(rel)}/made`), rel).rejects.toMatchObject(refused);
        await expect(out.remove(`${path.posix.dirname(rel)}/victim.txt`), rel).rejects.toMatchObject(refused);
        await expect(
          out.writeTemp(
            rel,
            (async function* () {
              yield Buffer.from('evil');
            })(),
            0o644,
          ),
          rel,
        ).rejects.toMatchObject(refused);
        await expect(out.rename(rel, 'moved.txt'), rel).rejects.toMatchObject(refused);
        await expect(out.open(`${path.posix.dirname(rel)}/victim.txt`), rel).rejects.toMatchObject(refused);
      }
    });
    expect(outsideNames()).toEqual(['victim.txt']);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('untouched');
  });

  it('refuses a root that is itself a link, even to a directory inside the root', async () => {
    mkdirSync(path.join(root, 'real'));
    symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    symlinkSync(outside, path.join(base, 'root-link'));
    await withTree(async (tree) => {
      await expect(
        tree.under(path.join(root, 'alias')).writeAtomic('x.txt', Buffer.from('x'), 0o644),
      ).rejects.toMatchObject(refused);
      await expect(
        tree.under(path.join(base, 'root-link')).writeAtomic('x.txt', Buffer.from('x'), 0o644),
      ).rejects.toMatchObject(refused);
    });
    expect(readdirSync(path.join(root, 'real'))).toEqual([]);
    expect(outsideNames()).toEqual(['victim.txt']);
  });

  it('replaces a link at the entry itself, dangling or not, and never writes through it', async () => {
    symlinkSync(path.join(outside, 'victim.txt'), path.join(root, 'leaf.txt'));
    symlinkSync(path.join(outside, 'created.txt'), path.join(root, 'dangling.txt'));
    symlinkSync(path.join(outside, 'gone'), path.join(root, 'dangling-dir'));
    await withTree(async (tree) => {
      const out = tree.under(root);
      await out.writeAtomic('leaf.txt', Buffer.from('new'), 0o644);
      await out.writeAtomic('dangling.txt', Buffer.from('new'), 0o644);
      await expect(out.writeAtomic('dangling-dir/evil.txt', Buffer.from('evil'), 0o644)).rejects.toMatchObject(refused);
      await expect(out.open('dangling-dir')).rejects.toMatchObject(refused);
      await out.remove('dangling-dir');
    });
    expect(lstatSync(path.join(root, 'leaf.txt')).isFile()).toBe(true);
    expect(readFileSync(path.join(root, 'dangling.txt'), 'utf8')).toBe('new');
    expect(existsSync(path.join(root, 'dangling-dir'))).toBe(false);
    expect(outsideNames()).toEqual(['victim.txt']);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('untouched');
  });

  it('does not follow a link swapped in for a directory while a write is under way', async () => {
    mkdirSync(path.join(root, 'sub'));
    const swap = () => {
      renameSync(path.join(root, 'sub'), path.join(root, 'sub.old'));
      symlinkSync(outside, path.join(root, 'sub'));
    };
    const data = async function* () {
      yield Buffer.from('first half ');
      swap();
      yield Buffer.from('second half');
    };
    await withTree(async (tree) => {
      const out = tree.under(root);
      const written = out
        .writeTemp('sub/file.txt', data(), 0o644)
        .then(async (temp) => out.rename(temp.path, 'sub/file.txt'));
      await expect(written).rejects.toMatchObject(refused);
    });
    expect(outsideNames()).toEqual(['victim.txt']);
  });
});

describe('paths given to a rooted tree', () => {
  it('refuses relative paths that climb, start at /, have empty or dot segments, and roots that are not normal', async () => {
    const out = createLocalTree().under(root);
    for (const rel of ['../outside/x.txt', 'a/../../x.txt', '/etc/x.txt', 'a//x.txt', './x.txt', '', 'a/\0x']) {
      await expect(out.writeAtomic(rel, Buffer.from('x'), 0o644), JSON.stringify(rel)).rejects.toMatchObject(refused);
    }
    for (const bad of ['relative/root', `${root}/../outside`, `${root}/./x`]) {
      await expect(
        createLocalTree().under(bad).writeAtomic('x.txt', Buffer.from('x'), 0o644),
        bad,
      ).rejects.toMatchObject(refused);
    }
    expect(outsideNames()).toEqual(['victim.txt']);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('the SFTP tree when a link is swapped in exactly before its rename (the window SFTP leaves)', () => {
  it('notices the link after the rename, removes what the rename put outside, and refuses', async () => {
    const spec = sshd.device({ id: 'edge' });
    await pool.withConnection(spec, undefined, async (client) => {
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
        client.sftp((e, s) => (e ? reject(e) : resolve(s))),
      );
      try {
        mkdirSync(path.join(root, 'sub'));
        // The attacker's move, as the rename is sent: the directory becomes a link out, the temp file goes along.
        const rename = sftp.ext_openssh_rename.bind(sftp);
        sftp.ext_openssh_rename = ((from: string, to: string, done: (err?: Error | null) => void) => {
          renameSync(path.join(root, 'sub'), path.join(root, 'sub.old'));
          renameSync(path.join(root, 'sub.old', path.basename(from)), path.join(outside, path.basename(from)));
          symlinkSync(outside, path.join(root, 'sub'));
          return rename(from, to, done);
        }) as typeof sftp.ext_openssh_rename;
        const out = createSftpRootedTree(sftp, root, async () => {
          throw new Error('not used');
        });
        await expect(out.writeAtomic('sub/target.txt', Buffer.from('evil'), 0o644)).rejects.toMatchObject(refused);
      } finally {
        sftp.end();
      }
    });
    expect(outsideNames()).toEqual(['victim.txt']);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('untouched');
  });
});
