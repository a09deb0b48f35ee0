// A real IMAP server on loopback: Debian's Dovecot run in the foreground with its own configuration (users from a
// static file, mail in a temporary Maildir), for the e-mail intake tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from './smtp-server.ts';

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

export async function startDovecot(dir: string): Promise<Dovecot> {
  const port = await freePort();
  const user = 'helpdesk';
  const password = 'helpdesk-imap-pass-42';
  for (const sub of ['run', 'state', 'home']) mkdirSync(path.join(dir, sub), { recursive: true });
  // Dovecot's auth process runs as its own user and must read the users file.
  chmodSync(dir, 0o755);
  writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  // Dovecot never delivers as root: mail belongs to an unprivileged user (nobody when the tests run as root).
  const uid = process.getuid?.() || 65534;
  const gid = process.getuid?.() ? (process.getgid?.() ?? 65534) : 65534;
  chownSync(path.join(dir, 'home'), uid, gid);
  const config = `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/home/%u/Maildir
namespace inbox {
  inbox = yes
  mailbox Processed {
    auto = create
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0600
  }
}
`;
  writeFileSync(path.join(dir, 'dovecot.conf'), config);
  const child: ChildProcess = spawn('/usr/sbin/dovecot', ['-F', '-c', path.join(dir, 'dovecot.conf')], {
    stdio: ['ignore', 'ignore', openSync(path.join(dir, 'dovecot.log'), 'a')],
  });
  await waitForPort(port, child, 'dovecot');
  return {
    port,
    user,
    password,
    async stop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
