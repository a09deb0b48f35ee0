// Runs Prometheus' own `promtool` (Debian package `prometheus`; .ci/run installs it). A missing promtool is
// a failure, never a skip: the checks it makes are the point of the tests that call it.
import { spawn } from 'node:child_process';

export interface PromtoolResult {
  code: number | null;
  output: string;
}

export function promtool(args: string[], stdin?: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error('promtool is not installed: apt-get install prometheus (.ci/run does)')
          : error,
      );
    });
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(stdin ?? '');
  });
}
