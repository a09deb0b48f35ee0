// Reads TWISTERLAB_ROUTING_FILE once at start (YAML or JSON: `rules: [...]`, `default: { team }`); a bad file stops
// the start naming the file and the field.
import { parseRouting, type Routing } from '../core/routing/routing.ts';
import { readSettingsFile } from './settings-file.ts';

export function loadRoutingFile(file: string): Routing {
  const { doc, shown } = readSettingsFile('TWISTERLAB_ROUTING_FILE', file);
  return parseRouting(doc, shown);
}
