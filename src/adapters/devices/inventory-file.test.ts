import { describe, it, expect } from 'vitest';
import { loadInventoryFile, parseInventory } from './inventory-file.ts';

const entry = { id: 'db-01', host: 'db.internal', user: 'ops', auth: { method: 'key', keyFile: 'keys/db' } };

describe('the inventory file', () => {
  it('reads YAML with a devices list and resolves key paths against the file folder', () => {
    const [spec] = parseInventory(
      '/etc/twisterlab/devices.yaml',
      'devices:\n  - id: db-01\n    host: db.internal\n    user: ops\n    auth: { method: key, keyFile: keys/db }\n    allow: ["df -h"]\n',
    );
    expect(spec).toMatchObject({
      id: 'db-01',
      port: 22,
      auth: { method: 'key', keyFile: '/etc/twisterlab/keys/db' },
      allow: [{ program: 'df', args: ['-h'] }],
    });
  });

  it('reads JSON, as a bare list too', () => {
    expect(parseInventory('/srv/devices.json', JSON.stringify([entry])).map((d) => d.id)).toEqual(['db-01']);
  });

  it.each([
    ['devices: [', /not valid YAML/],
    ['devices: 3', /expected a list of devices/],
    [JSON.stringify({ devices: [entry, entry] }), /devices\[1\]: the id "db-01" is used twice/],
    [JSON.stringify({ devices: [{ ...entry, port: 'ssh' }] }), /devices\[0\]: device "db-01": port:/],
  ])('stops the start on %j naming the variable, the file and the entry', (text, message) => {
    expect(() => parseInventory('/srv/devices.yaml', text)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }),
    );
    expect(() => parseInventory('/srv/devices.yaml', text)).toThrow(
      /^TWISTERLAB_DEVICES_FILE \(\/srv\/devices\.yaml\)/,
    );
  });

  it('names a file it cannot read', () => {
    expect(() => loadInventoryFile('/nonexistent/devices.yaml')).toThrow(
      /TWISTERLAB_DEVICES_FILE \(\/nonexistent\/devices\.yaml\): cannot read it \(ENOENT\)/,
    );
  });
});
