// Time-ordered ticket ids (UUID version 7, RFC 9562). Timestamps from the database clock can tie (PGlite
// ticks in milliseconds), so lists order by (created_at, id): a v7 id keeps that order the order of creation.
import { randomFillSync } from 'node:crypto';

let lastMs = -1;
let counter = 0;

// Random bytes drawn from the CSPRNG for 256 ids at a time, as Node's randomUUID does: one call per id cost ~3 % of
// intake's main-thread time. Each id takes bytes no other id has taken.
const POOL_IDS = 256;
const pool = new Uint8Array(16 * POOL_IDS);
let poolNext = POOL_IDS;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

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
  if (poolNext === POOL_IDS) {
    randomFillSync(pool);
    poolNext = 0;
  }
  const bytes = pool.subarray(poolNext * 16, poolNext * 16 + 16);
  poolNext += 1;
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  let id = '';
  for (let i = 0; i < 16; i += 1) {
    id += HEX[bytes[i]!]!;
    if (i === 3 || i === 5 || i === 7 || i === 9) id += '-';
  }
  return id;
}
