import { describe, expect, it } from 'vitest';
import { extractContext, type KnownNames } from '../context-extractor.ts';

const known: KnownNames = {
  devices: ['local', 'web01', 'db-main', 'builder', 'nat-a', 'nat-b', 'ssh-a', 'ssh-b', 'frontend'],
  services: [],
  deviceProfiles: [
    { id: 'local' },
    { id: 'web01', host: 'web01.example.com', port: 22 },
    { id: 'db-main', host: '10.0.0.5', port: 22 },
    { id: 'builder', host: 'build7.corp.example.com', port: 22 },
    { id: 'nat-a', host: '10.0.0.1', port: 2201 },
    { id: 'nat-b', host: '10.0.0.1', port: 2202 },
    { id: 'ssh-a', host: '127.0.0.1', port: 2222 },
    { id: 'ssh-b', host: '127.0.0.1', port: 2223 },
    { id: 'frontend', host: 'web.example.com', port: 22 },
  ],
};

const device = (text: string) => {
  const context = extractContext(text, {}, known);
  return {
    id: context.deviceId,
    match: context.found.find((f) => f.kind === 'device' && f.value === context.deviceId)?.match,
  };
};

describe('device resolution', () => {
  it.each([
    ['web01 is out of disk', 'web01', 'exact'],
    ['WEB01 is out of disk!', 'web01', 'exact'],
    ['web01.example.com is out of disk', 'web01', 'address'],
    ['10.0.0.5 is slow', 'db-main', 'address'],
    ['ssh to 10.0.0.5:22 hangs', 'db-main', 'address'],
    ['build7 cannot compile', 'builder', 'address'],
    ['10.0.0.1:2202 is out of memory', 'nat-b', 'address'],
  ])('"%s" names device %s (%s)', (text, id, match) => {
    expect(device(text)).toEqual({ id, match });
  });

  it('chooses neither of two devices behind one address when no port tells them apart, and names both', () => {
    const context = extractContext('10.0.0.1 is out of memory', {}, known);
    expect(context.deviceId).toBeUndefined();
    expect(context.ambiguous).toEqual([{ kind: 'device', mention: '10.0.0.1', candidates: ['nat-a', 'nat-b'] }]);
  });

  it('takes a loopback address for this machine, not for a device reached through it', () => {
    const context = extractContext('127.0.0.1:27000 is unreachable', {}, known);
    expect(context.deviceId).toBeUndefined();
    expect(context.ambiguous).toBeUndefined();
  });

  it('does not take a device from a URL, a name inside a longer one, or an everyday word that begins its host name', () => {
    expect(device('https://web01.example.com/ is slow').id).toBeUndefined();
    expect(device('web01-old and xweb01 are retired').id).toBeUndefined();
    expect(device('the web shop is slow').id).toBeUndefined();
    expect(device('web.example.com is slow')).toEqual({ id: 'frontend', match: 'address' });
  });

  it('names no device when the ticket names two', () => {
    const context = extractContext('copy from web01 to 10.0.0.5', {}, known);
    expect(context.deviceId).toBeUndefined();
    expect(context.found.filter((f) => f.kind === 'device').map((f) => f.value)).toEqual(['web01', 'db-main']);
  });
});
