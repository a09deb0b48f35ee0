// Reads runbooks from YAML or JSON files: the built-in catalogue under runbooks/ in the package, and a user's
// directory (TWISTERLAB_RUNBOOKS_DIR). A file holds one runbook, or a list under `runbooks:`. Everything is
// validated at load; a bad file stops the start with an error naming the file, the runbook and the field.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { TwisterError } from '../../core/errors.ts';
import type { Runbook } from '../../core/runbooks/runbook.ts';
import { mergeCatalogue, parseRunbook } from '../../core/runbooks/runbook-schema.ts';
import { PACKAGE_ROOT } from '../package-root.ts';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const MAX_FILE_BYTES = 1024 * 1024;

export const BUILTIN_RUNBOOKS_DIR = path.join(PACKAGE_ROOT, 'runbooks');

function readDocument(file: string, shown: string): unknown {
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES) throw new TwisterError('RUNBOOK_INVALID', `runbook ${shown}: the file is larger than 1 MiB`, { source: shown });
  const text = readFileSync(file, 'utf8');
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 50 });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    throw new TwisterError('RUNBOOK_INVALID', `runbook ${shown}${where}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`, { source: shown });
  }
}

/** The runbooks of one file: a single runbook object, or `{ runbooks: [...] }`. */
export function parseRunbookDocument(doc: unknown, shown: string, capabilityExists?: (id: string) => boolean): Runbook[] {
  const list = doc !== null && typeof doc === 'object' && 'runbooks' in doc ? (doc as { runbooks: unknown }).runbooks : [doc];
  if (!Array.isArray(list)) throw new TwisterError('RUNBOOK_INVALID', `runbook ${shown}: "runbooks" must be a list`, { source: shown });
  return list.map((raw, i) => parseRunbook(raw, list.length > 1 ? `${shown}#${i + 1}` : shown, capabilityExists));
}

/** Every runbook file of a directory (not recursive), in name order. A missing directory is an error. */
export function loadRunbookDir(dir: string, options: { capabilityExists?: (id: string) => boolean; label?: (file: string) => string } = {}): Runbook[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => EXTENSIONS.has(path.extname(n).toLowerCase()) && !n.startsWith('.')).sort();
  } catch (error) {
    throw new TwisterError('CONFIG_INVALID', `runbook directory ${dir} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const runbooks = names.flatMap((name) => {
    const file = path.join(dir, name);
    const shown = options.label ? options.label(name) : file;
    return parseRunbookDocument(readDocument(file, shown), shown, options.capabilityExists);
  });
  return mergeCatalogue(runbooks);
}

/** The shipped catalogue, labelled `builtin:<file>`. */
export function loadBuiltinRunbooks(capabilityExists?: (id: string) => boolean): Runbook[] {
  return loadRunbookDir(BUILTIN_RUNBOOKS_DIR, { label: (name) => `builtin:${name}`, ...(capabilityExists ? { capabilityExists } : {}) });
}

/** Built-ins plus the user's directory; ids must be unique across both. */
export function loadCatalogue(userDir: string | undefined, capabilityExists?: (id: string) => boolean): Runbook[] {
  const builtin = loadBuiltinRunbooks(capabilityExists);
  if (!userDir) return builtin;
  return mergeCatalogue(builtin, loadRunbookDir(userDir, capabilityExists ? { capabilityExists } : {}));
}
