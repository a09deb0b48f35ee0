// A real SMTP server on loopback for the e-mail tests: Debian's python3-aiosmtpd, run as a child, delivering
// every message into a Maildir the test reads.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; ; i += 1) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (i > 600) throw new Error(`${what} never listened on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SmtpServer {
  port: number;
  maildir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Raw messages delivered so far. */
  messages(): string[];
}

export async function createSmtpServer(dir: string): Promise<SmtpServer> {
  const port = await freePort();
  const maildir = path.join(dir, 'Maildir');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(path.join(maildir, sub), { recursive: true });
  let child: ChildProcess | undefined;
  return {
    port,
    maildir,
    async start() {
      child = spawn(
        PYTHON,
        ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir],
        { stdio: 'ignore' },
      );
      await waitForPort(port, child, 'aiosmtpd');
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });
    },
    messages: () =>
      ['new', 'cur'].flatMap((sub) =>
        readdirSync(path.join(maildir, sub)).map((f) => readFileSync(path.join(maildir, sub, f), 'utf8')),
      ),
  };
}
