// Reads TWISTERLAB_WEBHOOK_SOURCES_FILE once at start (YAML or JSON: `sources: { <name>: { fields, secret, … } }`);
// a bad file stops the start naming the file and the field.
import { parseWebhookSources, type WebhookSources } from '../core/intake/webhook.ts';
import { readSettingsFile } from './settings-file.ts';

export function loadWebhookSourcesFile(file: string, secretEnv: (name: string) => string | undefined): WebhookSources {
  const { doc, shown } = readSettingsFile('TWISTERLAB_WEBHOOK_SOURCES_FILE', file);
  return parseWebhookSources(doc, shown, secretEnv);
}
