// Reads TWISTERLAB_ROUTING_FILE once at start (YAML or JSON: `rules: [...]`, `default: { team }`); a bad file stops
// the start naming the file and the field.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { TwisterError } from '../core/errors.ts';
import { parseRouting, type Routing } from '../core/routing/routing.ts';

export function loadRoutingFile(file: string): Routing {
  const shown = `TWISTERLAB_ROUTING_FILE (${file})`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TwisterError('CONFIG_INVALID', `${shown}: cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new TwisterError('CONFIG_INVALID', `${shown}: not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseRouting(doc, shown);
}
