// `twisterlab runbooks validate <dir>`: checks a runbook directory without a server — schema, parameters,
// templates, step references and ids against the built-ins. Capabilities are checked when the server starts.
import { loadCatalogue } from '../adapters/runbooks/runbook-files.ts';
import type { Output } from './ticket-commands.ts';

export function validateRunbooksCommand(dir: string, out: Output): number {
  const catalogue = loadCatalogue(dir);
  const mine = catalogue.filter((r) => !r.source?.startsWith('builtin:'));
  mine.forEach((r) => out.write(`ok  ${r.id.padEnd(24)} ${r.source}`));
  out.write(
    `${mine.length} runbooks valid (${catalogue.length} with the built-in ones); capabilities are checked when the server starts`,
  );
  return 0;
}
