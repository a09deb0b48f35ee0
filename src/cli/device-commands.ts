// `twisterlab devices …`: the device inventory of a running API — list, show, add from a file, remove,
// look at a host key, trust it, and run a command on a device.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { DeviceView, PresentedHostKey } from '../core/device-spec.ts';
import type { ApiClient } from './api-client.ts';
import type { Output } from './ticket-commands.ts';

function formatDevice(view: DeviceView): string {
  const d = view.definition as {
    host?: string;
    port?: number;
    user?: string;
    hostKey?: string | null;
    tags?: string[];
    allow?: unknown[];
  };
  const where = d.host ? `${d.user}@${d.host}:${d.port}` : 'this machine';
  const key = view.kind === 'local' ? '' : d.hostKey ? '  host key trusted' : '  HOST KEY NOT TRUSTED';
  return `${view.id.padEnd(20)} ${view.kind.padEnd(6)} ${view.source.padEnd(8)} ${where}  ${d.allow?.length ?? 0} rules${key}${d.tags?.length ? `  [${d.tags.join(', ')}]` : ''}`;
}

function readDevices(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  const document = /\.json$/i.test(file) ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  if (Array.isArray(document)) return document;
  const listed = (document as { devices?: unknown }).devices;
  return Array.isArray(listed) ? listed : [document];
}

export async function runOnDevice(api: ApiClient, id: string, command: string, out: Output): Promise<number> {
  const result = await api.request<{
    ok: boolean;
    output?: { stdout: string; stderr: string; exit_code: number | null };
  }>('POST', '/api/v1/mcp/commander.execute_command', { device_id: id, command });
  if (result.output?.stdout) process.stdout.write(result.output.stdout);
  if (result.output?.stderr) process.stderr.write(result.output.stderr);
  out.write(`exit ${result.output?.exit_code ?? 'none'}`);
  return result.output?.exit_code ?? 1;
}

export async function listDevices(api: ApiClient, json: boolean, out: Output): Promise<number> {
  const { items } = await api.request<{ items: DeviceView[] }>('GET', '/api/v1/devices');
  if (json) out.write(JSON.stringify({ items }));
  else items.forEach((v) => out.write(formatDevice(v)));
  return 0;
}

function show(view: DeviceView, json: boolean, out: Output): number {
  out.write(json ? JSON.stringify(view) : `${formatDevice(view)}\n${JSON.stringify(view.definition, null, 2)}`);
  return 0;
}

export async function showDevice(api: ApiClient, id: string, json: boolean, out: Output): Promise<number> {
  return show(await api.request<DeviceView>('GET', `/api/v1/devices/${encodeURIComponent(id)}`), json, out);
}

export async function addDevices(api: ApiClient, file: string, out: Output): Promise<number> {
  for (const device of readDevices(file))
    out.write(formatDevice(await api.request<DeviceView>('POST', '/api/v1/devices', device)));
  return 0;
}

export async function removeDevice(api: ApiClient, id: string, out: Output): Promise<number> {
  await api.request('DELETE', `/api/v1/devices/${encodeURIComponent(id)}`);
  out.write(`removed ${id}`);
  return 0;
}

export async function deviceHostKey(api: ApiClient, id: string, json: boolean, out: Output): Promise<number> {
  const key = await api.request<PresentedHostKey>('GET', `/api/v1/devices/${encodeURIComponent(id)}/host-key`);
  out.write(
    json
      ? JSON.stringify(key)
      : `${id} presents ${key.fingerprint} (${key.type})\ncheck it on the device (ssh-keygen -lf /etc/ssh/ssh_host_${key.type.replace(/^ssh-/, '')}_key.pub), then:\n  twisterlab devices trust ${id} --fingerprint ${key.fingerprint}`,
  );
  return 0;
}

export async function trustDevice(
  api: ApiClient,
  id: string,
  fingerprint: string,
  json: boolean,
  out: Output,
): Promise<number> {
  return show(
    await api.request<DeviceView>('POST', `/api/v1/devices/${encodeURIComponent(id)}/trust`, { fingerprint }),
    json,
    out,
  );
}
