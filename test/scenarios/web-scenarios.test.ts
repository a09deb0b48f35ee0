// Incidents on HTTP(S) services: killed, wedged, broken by a bad config edit, with no restart declared, with a
// certificate about to expire; a legitimate config change and a file request that must change nothing; two
// services the words fit equally.
import { INCIDENTS } from './incidents.ts';
import { incidentSuite } from './incident-suite.ts';

incidentSuite(
  'service incidents on real HTTP(S) services',
  INCIDENTS.filter((i) => i.area === 'services'),
);
