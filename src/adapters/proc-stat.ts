// A process's (or one of its threads') line in /proc/<pid>/stat (Linux, proc(5)), read by name rather than by
// counting fields at each use. The command name comes second, in parentheses, and may hold spaces and parentheses
// itself: the fields are those after its last `)`.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** R, S, D, Z, T... */
  state: string;
  ppid: number;
  /** Process group. */
  group: number;
  session: number;
  /** The controlling terminal's device number; 0 when there is none. */
  tty: number;
  /** CPU time in user and in system mode, in clock ticks (USER_HZ, 100 a second). */
  utimeTicks: number;
  stimeTicks: number;
  nice: number;
}

/** The fields of a stat line, as /proc/<pid>/stat gives it. */
export function parseProcStat(line: string): ProcStat {
  const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(f[i]);
  return {
    state: f[0]!,
    ppid: n(1),
    group: n(2),
    session: n(3),
    tty: n(4),
    utimeTicks: n(11),
    stimeTicks: n(12),
    nice: n(16),
  };
}

/** The stat of a process, or of one thread of it; undefined once it is gone (or without /proc). */
export function readProcStat(pid: number | 'self', thread?: number): ProcStat | undefined {
  try {
    return parseProcStat(
      readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8'),
    );
  } catch {
    return undefined;
  }
}
