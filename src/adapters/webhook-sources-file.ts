// Reads TWISTERLAB_WEBHOOK_SOURCES_FILE once at start (YAML or JSON: `sources: { <name>: { fields, secret, … } }`);
// a bad file stops the start naming the file and the field.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { TwisterError } from '../core/errors.ts';
import { parseWebhookSources, type WebhookSources } from '../core/intake/webhook.ts';

export function loadWebhookSourcesFile(file: string, secretEnv: (name: string) => string | undefined): WebhookSources {
  const shown = `TWISTERLAB_WEBHOOK_SOURCES_FILE (${file})`;
  const json = /\.json$/i.test(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TwisterError('CONFIG_INVALID', `${shown}: cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new TwisterError('CONFIG_INVALID', `${shown}: not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseWebhookSources(doc, shown, secretEnv);
}
