// Reads the fields of Redis INFO replies (memory, stats, keyspace) into the memory-pressure report.

export interface RedisMemoryReport {
  used_memory_bytes: number;
  maxmemory_bytes: number;
  used_percent: number | null;
  maxmemory_policy: string;
  evicted_keys: number;
  fragmentation_ratio: number;
  keys: number;
}

/** `field:value` lines of any number of INFO replies; `# Section` headers and blank lines are skipped. */
export function parseInfo(...replies: string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of replies.join('\n').split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** Keys over every database: `db0:keys=12,expires=0,avg_ttl=0`. */
export function countKeys(fields: Map<string, string>): number {
  let keys = 0;
  for (const [name, value] of fields) {
    if (!/^db\d+$/.test(name)) continue;
    const match = /(?:^|,)keys=(\d+)/.exec(value);
    if (match) keys += Number(match[1]);
  }
  return keys;
}

function numberField(fields: Map<string, string>, name: string): number {
  const n = Number(fields.get(name));
  return Number.isFinite(n) ? n : 0;
}

/**
 * `configPolicy` is CONFIG GET's answer, undefined when CONFIG is disabled or renamed; INFO memory carries the
 * policy too (Redis 4 and later), and 'unknown' is left for when neither says.
 */
export function memoryReport(fields: Map<string, string>, configPolicy: string | undefined): RedisMemoryReport {
  const used = numberField(fields, 'used_memory');
  const max = numberField(fields, 'maxmemory');
  return {
    used_memory_bytes: used,
    maxmemory_bytes: max,
    used_percent: max > 0 ? Math.round((used / max) * 1000) / 10 : null,
    maxmemory_policy: configPolicy || fields.get('maxmemory_policy') || 'unknown',
    evicted_keys: numberField(fields, 'evicted_keys'),
    fragmentation_ratio: numberField(fields, 'mem_fragmentation_ratio'),
    keys: countKeys(fields),
  };
}
