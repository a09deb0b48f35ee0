// The declarative inventory (TWISTERLAB_DEVICES_FILE): YAML or JSON, `devices: [...]` or a bare list, read
// once at start. A bad entry stops the start with a message naming the file, the entry and the field.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDeviceSpec, type SshDeviceSpec } from '../../core/device-spec.ts';
import { TwisterError } from '../../core/errors.ts';

const VARIABLE = 'TWISTERLAB_DEVICES_FILE';

function fail(file: string, problem: string): never {
  throw new TwisterError('CONFIG_INVALID', `${VARIABLE} (${file}): ${problem}`, { variable: VARIABLE, file });
}

function parseText(file: string, text: string): unknown {
  try {
    return /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    return fail(
      file,
      `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

/** Key, passphrase, password and agent socket paths are relative to the file's folder. */
function resolvePaths(spec: SshDeviceSpec, baseDir: string): SshDeviceSpec {
  const resolve = (p: string | undefined) => (p === undefined ? undefined : path.resolve(baseDir, p));
  const { auth } = spec;
  if (auth.method === 'key')
    return {
      ...spec,
      auth: {
        ...auth,
        keyFile: resolve(auth.keyFile)!,
        ...(auth.passphraseFile ? { passphraseFile: resolve(auth.passphraseFile)! } : {}),
      },
    };
  if (auth.method === 'password' && auth.passwordFile)
    return { ...spec, auth: { ...auth, passwordFile: resolve(auth.passwordFile)! } };
  if (auth.method === 'agent' && auth.socket) return { ...spec, auth: { ...auth, socket: resolve(auth.socket)! } };
  return spec;
}

export function parseInventory(file: string, text: string): SshDeviceSpec[] {
  const document = parseText(file, text);
  if (document === null || document === undefined) return [];
  const entries = Array.isArray(document) ? document : (document as { devices?: unknown }).devices;
  if (!Array.isArray(entries)) fail(file, 'expected a list of devices, or an object with a "devices" list');
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    let spec: SshDeviceSpec;
    try {
      spec = parseDeviceSpec(entry, 'file');
    } catch (error) {
      return fail(file, `devices[${index}]: ${(error as Error).message}`);
    }
    if (seen.has(spec.id)) fail(file, `devices[${index}]: the id "${spec.id}" is used twice`);
    seen.add(spec.id);
    return resolvePaths(spec, path.dirname(path.resolve(file)));
  });
}

export function loadInventoryFile(file: string): SshDeviceSpec[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return fail(file, `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseInventory(file, text);
}
