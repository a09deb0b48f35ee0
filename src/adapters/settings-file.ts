// Reads a settings file named by a variable (services, routing, notifications, webhook sources) once at start:
// YAML, or JSON by its extension. A file that cannot be read or parsed stops the start naming the variable and file.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { TwisterError } from '../core/errors.ts';

/** The parsed document, and how to name the file in the errors its parser raises (`VARIABLE (path)`). */
export function readSettingsFile(variable: string, file: string): { doc: unknown; shown: string } {
  const shown = `${variable} (${file})`;
  const json = /\.json$/i.test(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TwisterError(
      'CONFIG_INVALID',
      `${shown}: cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return { doc: json ? JSON.parse(text) : parseYaml(text), shown };
  } catch (error) {
    throw new TwisterError(
      'CONFIG_INVALID',
      `${shown}: not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}
