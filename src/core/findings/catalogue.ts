// The catalogue of findings: the typed facts diagnosis can establish, each with a title in plain words and the team
// a human handoff goes to. Runbooks declare which of these their checks confirm (and by which rule on a check's
// output) and which one each fix addresses; a fix runs only for a finding diagnosis confirmed.

export interface FindingKind {
  id: string;
  /** Plain words, for the requester and the approver. */
  title: string;
  /** Who takes it when no safe automatic fix exists. */
  team: 'database' | 'operations' | 'network' | 'security' | 'application';
  /**
   * False for an observation that is not a fault by itself (a configuration that differs from its baseline may be
   * a legitimate change): it is reported, and a fix may need it, but alone it never makes a ticket a fault.
   */
  fault: boolean;
}

const kinds: FindingKind[] = [
  {
    id: 'postgres.lock_contention',
    title: 'sessions of the database wait on locks another session holds',
    team: 'database',
    fault: true,
  },
  {
    id: 'postgres.connections_exhausted',
    title: 'the database has no connection slot left for the application',
    team: 'database',
    fault: true,
  },
  { id: 'redis.memory_full', title: 'Redis is at its memory limit and refuses writes', team: 'database', fault: true },
  { id: 'service.unreachable', title: 'the service does not answer', team: 'operations', fault: true },
  { id: 'service.http_error', title: 'the service answers with an error', team: 'application', fault: true },
  {
    id: 'config.differs_from_baseline',
    title: "the service's configuration differs from its known-good copy",
    team: 'application',
    fault: false,
  },
  { id: 'disk.nearly_full', title: 'the file system is nearly full', team: 'operations', fault: true },
  {
    id: 'certificate.expiring',
    title: 'the TLS certificate expires soon or has expired',
    team: 'security',
    fault: true,
  },
  {
    id: 'auth.brute_force',
    title: 'many failed logins: someone may be guessing passwords',
    team: 'security',
    fault: true,
  },
  { id: 'host.overloaded', title: 'the machine is out of memory or CPU', team: 'operations', fault: true },
  { id: 'network.port_closed', title: 'the port does not accept connections', team: 'network', fault: true },
];

const byId = new Map(kinds.map((k) => [k.id, k]));

/** A finding id: `<domain>.<name>`, lower case. Runbooks of users may add ids beyond the catalogue. */
export const FINDING_ID = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

export function findingKind(id: string): FindingKind {
  return byId.get(id) ?? { id, title: id.replace(/[._]/g, ' '), team: 'operations', fault: true };
}

export const FINDING_KINDS: readonly FindingKind[] = kinds;
