// Incidents on PostgreSQL and Redis: a lock chain, a locked table, connection slots left to superusers (ended
// after an admin's approval), a sessions store refusing writes, a killed store, and false alarms on healthy ones.
import { INCIDENTS } from './incidents.ts';
import { incidentSuite } from './incident-suite.ts';

incidentSuite(
  'database incidents on real PostgreSQL and Redis',
  INCIDENTS.filter((i) => i.area === 'data'),
);
