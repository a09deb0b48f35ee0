// Reads TWISTERLAB_SERVICES_FILE once at start (YAML or JSON, `services: [...]`); a bad entry stops the start
// naming the file, the entry and the field.
import { parseServiceProfiles, type ServiceProfile } from '../core/service-profiles.ts';
import { readSettingsFile } from './settings-file.ts';

export function loadServicesFile(file: string): ServiceProfile[] {
  const { doc, shown } = readSettingsFile('TWISTERLAB_SERVICES_FILE', file);
  return parseServiceProfiles(doc, shown);
}
