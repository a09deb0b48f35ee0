// An open-loop load at a fixed offered rate: request i is due at start + i / rate, whatever the answers before it
// did, and its latency counts from when it was due (so a server that falls behind is charged for the wait, and no
// answer is left out: no coordinated omission). Requests go over at most `connections` keep-alive connections; a
// request due while all are busy waits for one, and that wait is part of its latency.
//
// Why not autocannon's `overallRate`: each of its connections sends back to back, closed loop, until it has made its
// share of the second, then waits for the next second. 500 req/s over 20 connections is 20 requests in flight from
// the start of each second until its 500 are answered, then nothing: a burst test at full concurrency, whose latency
// is that of a server working through a queue of 20, not of a steady 500 req/s.
import http from 'node:http';
import { percentile } from './stats.ts';

export interface PacedLoadOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  rate: number;
  seconds: number;
  connections: number;
  /** A request not answered this long after it was sent counts as a timeout. */
  timeoutMs?: number;
}

export interface PacedLoadResult {
  /** Requests sent (rate × seconds). */
  sent: number;
  /** Answers by class: 2xx, and the rest by status. */
  ok: number;
  statuses: Record<number, number>;
  errors: number;
  timeouts: number;
  /** Latency of the 2xx answers from when each request was due, in ms. */
  latency: { p50: number; p90: number; p99: number; max: number };
  /** 2xx answers per second of the run (from the first due time to the last answer). */
  answeredPerSecond: number;
  /** How late the generator itself sent requests (its own lag, already inside the latencies), p99 in ms. */
  sendLagP99: number;
}

export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.rate * options.seconds);
  const body = Buffer.from(options.body);
  const headers = { ...options.headers, 'content-length': String(body.length) };
  const latencies: number[] = [];
  const sendLags: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let timeouts = 0;
  let lastAnswer = 0;

  const one = (due: number) =>
    new Promise<void>((resolve) => {
      let timedOut = false;
      sendLags.push(performance.now() - due);
      const request = http.request(options.url, { method: options.method, headers, agent }, (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          lastAnswer = performance.now();
          if (status >= 200 && status < 300) latencies.push(lastAnswer - due);
          else statuses[status] = (statuses[status] ?? 0) + 1;
          resolve();
        });
        response.on('error', () => {
          errors += 1;
          resolve();
        });
      });
      request.setTimeout(options.timeoutMs ?? 10_000, () => {
        timedOut = true;
        request.destroy(new Error('timeout'));
      });
      request.on('error', () => {
        if (timedOut) timeouts += 1;
        else errors += 1;
        resolve();
      });
      request.end(body);
    });

  const start = performance.now() + 20;
  const inFlight: Array<Promise<void>> = [];
  let next = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / options.rate <= now) {
        inFlight.push(one(start + (next * 1000) / options.rate));
        next += 1;
      }
      if (next >= total) return done();
      setTimeout(tick, Math.max(0, start + (next * 1000) / options.rate - performance.now()));
    };
    setTimeout(tick, 20);
  });
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  sendLags.sort((a, b) => a - b);
  return {
    sent: total,
    ok: latencies.length,
    statuses,
    errors,
    timeouts,
    latency: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
    },
    answeredPerSecond: latencies.length === 0 ? 0 : latencies.length / ((lastAnswer - start) / 1000),
    sendLagP99: percentile(sendLags, 99),
  };
}
