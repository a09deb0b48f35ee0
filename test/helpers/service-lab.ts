// Small HTTP services run as their own processes, each with the operator's restart command (an allow-listed
// script on the local device): tests give the loop a real fault — a service that is down — and the declared
// restart that fixes it, or one that returns without bringing the service back.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SAFE_PATH } from '../../src/adapters/devices/local-executor.ts';
import { freePort } from './redis-server.ts';

// The service: answers /health with "ok", writes its pid where the restart command and the test find it.
const SERVICE = `import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
const [port, pidFile] = process.argv.slice(2);
writeFileSync(pidFile, String(process.pid));
createServer((_req, res) => res.end('ok')).listen(Number(port), '127.0.0.1');
`;

// Starts a service detached and returns once it answers, like `systemctl restart` (args: script, port, pid file).
const START = (node: string) => `#!${node}
import { spawn } from 'node:child_process';
const [script, port, pidFile] = process.argv.slice(2);
const child = spawn(${JSON.stringify(node)}, [script, port, pidFile], { detached: true, stdio: 'ignore' });
child.unref();
for (let i = 0; i < 200; i += 1) {
  if (await fetch('http://127.0.0.1:' + port + '/health').then((r) => r.ok, () => false)) process.exit(0);
  await new Promise((r) => setTimeout(r, 50));
}
console.error('the service did not come up');
process.exit(1);
`;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
// The operator's restart command for one service; a broken one exits 0 and brings nothing back.
const RESTART = (start: string, args: string[]) => `#!/bin/sh\nexec ${[start, ...args].map(quote).join(' ')}\n`;
const NO_OP_RESTART = '#!/bin/sh\nexit 0\n';

export interface LabServiceSpec {
  name: string;
  /** False: its restart command exits 0 and the service stays down. */
  restartWorks?: boolean;
}

export interface LabService {
  name: string;
  url: string;
  /** Starts it (when it is down) and returns once it answers. */
  start(): void;
  /** Kills it and waits until it no longer answers. */
  kill(): Promise<void>;
  up(): Promise<boolean>;
  /** Pid of the process last started, 0 if none. */
  pid(): number;
}

export interface ServiceLab {
  /** Settings a runtime needs: the services file, the restart commands on the local PATH and its allow-list. */
  env: Record<string, string>;
  service(name: string): LabService;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function labService(
  dir: string,
  bin: string,
  start: string,
  spec: LabServiceSpec,
): Promise<{ service: LabService; entry: Record<string, unknown> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/health`;
  const pidFile = path.join(dir, `${spec.name}.pid`);
  const script = path.join(dir, `${spec.name}.mjs`);
  writeFileSync(script, SERVICE);
  const command = `restart-${spec.name}`;
  const args = [script, String(port), pidFile];
  writeFileSync(path.join(bin, command), spec.restartWorks === false ? NO_OP_RESTART : RESTART(start, args));
  chmodSync(path.join(bin, command), 0o755);
  const up = () =>
    fetch(url).then(
      (r) => r.ok,
      () => false,
    );
  const pid = () => {
    try {
      return Number(readFileSync(pidFile, 'utf8'));
    } catch {
      return 0;
    }
  };
  const service: LabService = {
    name: spec.name,
    url,
    up,
    pid,
    start: () => void execFileSync(start, args),
    kill: async () => {
      const current = pid();
      if (alive(current)) process.kill(current, 'SIGKILL');
      while (alive(current) || (await up())) await sleep(20);
    },
  };
  return { service, entry: { name: spec.name, url, restart: command, category: 'application' } };
}

/** Writes the services and their restart commands into a scratch directory; every service starts running. */
export async function startServiceLab(specs: LabServiceSpec[]): Promise<ServiceLab> {
  const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-services-'));
  const bin = path.join(dir, 'ops-bin');
  mkdirSync(bin);
  // Outside the local PATH: the runtime reaches it only through a service's restart command.
  const start = path.join(dir, 'lab-start');
  writeFileSync(start, START(process.execPath));
  chmodSync(start, 0o755);
  const made = await Promise.all(specs.map((spec) => labService(dir, bin, start, spec)));
  const services = new Map(made.map((m) => [m.service.name, m.service]));
  const servicesFile = path.join(dir, 'services.json');
  writeFileSync(servicesFile, JSON.stringify({ services: made.map((m) => m.entry) }));
  for (const s of services.values()) s.start();
  return {
    env: {
      TWISTERLAB_SERVICES_FILE: servicesFile,
      TWISTERLAB_LOCAL_PATH: `${bin}:${SAFE_PATH}`,
      TWISTERLAB_LOCAL_ALLOW: specs.map((s) => `restart-${s.name}`).join(';'),
    },
    service: (name) => {
      const found = services.get(name);
      if (!found) throw new Error(`no lab service ${name}`);
      return found;
    },
    close: async () => {
      for (const s of services.values()) if (alive(s.pid())) process.kill(s.pid(), 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
