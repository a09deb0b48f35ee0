// Reads TWISTERLAB_ALERTMANAGER_MAPPING_FILE once at start (YAML or JSON: which labels name the service, host and
// severity, and severity → priority); a bad file stops the start naming the file and the field.
import { parseAlertMapping, type AlertMapping } from '../core/intake/alertmanager.ts';
import { readSettingsFile } from './settings-file.ts';

export function loadAlertMappingFile(file: string): AlertMapping {
  const { doc, shown } = readSettingsFile('TWISTERLAB_ALERTMANAGER_MAPPING_FILE', file);
  return parseAlertMapping(doc, shown);
}
