// `twisterlab devices …`: the device inventory of a running API — list, show, add from a file, remove,
// look at a host key, trust it, and run a command on a device.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { DeviceView, PresentedHostKey } from '../core/device-spec.ts';
import type { ApiClient } from './api-client.ts';
import type { Output } from './ticket-commands.ts';

export const DEVICES_USAGE = `  twisterlab devices [--json]               the inventory (local, inventory file, API)
  twisterlab devices show <id> [--json]
  twisterlab devices add <file.yaml|json>    register the device(s) of the file through the API
  twisterlab devices remove <id>
  twisterlab devices host-key <id>           the key the device presents now (nothing is trusted)
  twisterlab devices trust <id> --fingerprint SHA256:…   trust it, if it is the one you checked
  twisterlab devices run <id> "<command>"    commander.execute_command; exits with the command's exit code`;

function formatDevice(view: DeviceView): string {
  const d = view.definition as { host?: string; port?: number; user?: string; hostKey?: string | null; tags?: string[]; allow?: unknown[] };
  const where = d.host ? `${d.user}@${d.host}:${d.port}` : 'this machine';
  const key = view.kind === 'local' ? '' : d.hostKey ? '  host key trusted' : '  HOST KEY NOT TRUSTED';
  return `${view.id.padEnd(20)} ${view.kind.padEnd(6)} ${view.source.padEnd(8)} ${where}  ${d.allow?.length ?? 0} rules${key}${d.tags?.length ? `  [${d.tags.join(', ')}]` : ''}`;
}

function readDevices(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  const document = /\.json$/i.test(file) ? JSON.parse(text) as unknown : parseYaml(text) as unknown;
  if (Array.isArray(document)) return document;
  const listed = (document as { devices?: unknown }).devices;
  return Array.isArray(listed) ? listed : [document];
}

async function runOnDevice(api: ApiClient, id: string, command: string, out: Output): Promise<number> {
  const result = await api.request<{ ok: boolean; output?: { stdout: string; stderr: string; exit_code: number | null } }>(
    'POST', '/api/v1/mcp/commander.execute_command', { device_id: id, command },
  );
  if (result.output?.stdout) process.stdout.write(result.output.stdout);
  if (result.output?.stderr) process.stderr.write(result.output.stderr);
  out.write(`exit ${result.output?.exit_code ?? 'none'}`);
  return result.output?.exit_code ?? 1;
}

export async function devicesCommand(api: ApiClient, argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { json: { type: 'boolean', default: false }, fingerprint: { type: 'string' } },
  });
  const [sub, id, rest] = positionals;
  const show = (view: DeviceView) => out.write(values.json ? JSON.stringify(view) : `${formatDevice(view)}\n${JSON.stringify(view.definition, null, 2)}`);
  if (sub === undefined || sub === 'list') {
    const { items } = await api.request<{ items: DeviceView[] }>('GET', '/api/v1/devices');
    if (values.json) out.write(JSON.stringify({ items }));
    else items.forEach((v) => out.write(formatDevice(v)));
    return 0;
  }
  if (sub === 'show' && id) return show(await api.request<DeviceView>('GET', `/api/v1/devices/${encodeURIComponent(id)}`)), 0;
  if (sub === 'add' && id) {
    for (const device of readDevices(id)) out.write(formatDevice(await api.request<DeviceView>('POST', '/api/v1/devices', device)));
    return 0;
  }
  if (sub === 'remove' && id) {
    await api.request('DELETE', `/api/v1/devices/${encodeURIComponent(id)}`);
    out.write(`removed ${id}`);
    return 0;
  }
  if (sub === 'host-key' && id) {
    const key = await api.request<PresentedHostKey>('GET', `/api/v1/devices/${encodeURIComponent(id)}/host-key`);
    out.write(values.json ? JSON.stringify(key) : `${id} presents ${key.fingerprint} (${key.type})\ncheck it on the device (ssh-keygen -lf /etc/ssh/ssh_host_${key.type.replace(/^ssh-/, '')}_key.pub), then:\n  twisterlab devices trust ${id} --fingerprint ${key.fingerprint}`);
    return 0;
  }
  if (sub === 'trust' && id && values.fingerprint) {
    show(await api.request<DeviceView>('POST', `/api/v1/devices/${encodeURIComponent(id)}/trust`, { fingerprint: values.fingerprint }));
    return 0;
  }
  if (sub === 'run' && id && rest) return runOnDevice(api, id, rest, out);
  process.stderr.write(`usage:\n${DEVICES_USAGE}\n`);
  return 2;
}
