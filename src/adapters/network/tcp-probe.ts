// A TCP connect from this machine: reachable or not, how long the handshake took, and the error when it failed.
import { connect } from 'node:net';
import { TwisterError } from '../../core/errors.ts';
import type { ProbeOptions, TcpProbeResult } from '../../core/network-probes.ts';

export const roundMs = (ms: number) => Math.round(ms * 10) / 10;

export function tcpConnect(host: string, port: number, { timeoutMs, signal }: ProbeOptions): Promise<TcpProbeResult> {
  if (signal.aborted) return Promise.reject(new TwisterError('CAPABILITY_ABORTED', 'the check was cancelled'));
  const started = performance.now();
  return new Promise<TcpProbeResult>((resolve, reject) => {
    const socket = connect({ host, port });
    const settle = (done: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      done();
    };
    const elapsed = () => roundMs(performance.now() - started);
    const onAbort = () => settle(() => reject(new TwisterError('CAPABILITY_ABORTED', 'the check was cancelled')));
    const timer = setTimeout(
      () =>
        settle(() => resolve({ reachable: false, latencyMs: elapsed(), error: `no answer within ${timeoutMs} ms` })),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => settle(() => resolve({ reachable: true, latencyMs: elapsed() })));
    socket.once('error', (error) =>
      settle(() => resolve({ reachable: false, latencyMs: elapsed(), error: error.message })),
    );
  });
}
