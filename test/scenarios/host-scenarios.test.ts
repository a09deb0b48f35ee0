// Incidents on hosts: log disks filling (one fixable, one where the culprit cannot be compressed: partial, so
// escalated), a disk with room, password guessing in the auth log, a port nothing listens on, and a request
// that is not an IT fault at all.
import { INCIDENTS } from './incidents.ts';
import { incidentSuite } from './incident-suite.ts';

incidentSuite(
  'host incidents on real disks, logs and ports',
  INCIDENTS.filter((i) => i.area === 'hosts'),
);
