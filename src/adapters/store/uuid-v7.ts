// Time-ordered ticket ids (UUID version 7, RFC 9562). Timestamps from the database clock can tie (PGlite
// ticks in milliseconds), so lists order by (created_at, id): a v7 id keeps that order the order of creation.
import { randomFillSync } from 'node:crypto';

let lastMs = -1;
let counter = 0;

/** A v7 UUID; within one process each id sorts after the previous one (a 12-bit counter per millisecond). */
export function uuidV7(now: number = Date.now()): string {
  let ms = now;
  if (ms <= lastMs) {
    ms = lastMs;
    counter += 1;
    // 4096 ids in one millisecond: borrow the next millisecond rather than repeat an order.
    if (counter > 0xfff) {
      ms += 1;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  const bytes = randomFillSync(new Uint8Array(16));
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
