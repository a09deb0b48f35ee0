import { describe, expect, it } from 'vitest';
import { findAddresses } from './addresses.ts';

const found = (text: string) => findAddresses(text).map(({ at: _at, ...address }) => address);

describe('addresses in a ticket', () => {
  it.each([
    ['127.0.0.1:27000 is unreachable', { kind: 'ip', value: '127.0.0.1', port: 27000, portStated: true }],
    ['db.example.com:5432 refuses', { kind: 'host', value: 'db.example.com', port: 5432, portStated: true }],
    ['cache at redis-main:6379.', { kind: 'host', value: 'redis-main', port: 6379, portStated: true }],
    ['try [::1]:8080 now', { kind: 'ip', value: '::1', port: 8080, portStated: true }],
    ['[2001:db8::5] drops packets', { kind: 'ip', value: '2001:db8::5' }],
    ['see http://10.0.0.1:8080/x', { kind: 'url', value: 'http://10.0.0.1:8080/x', port: 8080, portStated: true }],
    ['see https://example.com:443/', { kind: 'url', value: 'https://example.com:443/', port: 443, portStated: true }],
    ['see https://example.com/x', { kind: 'url', value: 'https://example.com/x', port: 443, portStated: false }],
    ['see http://example.com', { kind: 'url', value: 'http://example.com', port: 80, portStated: false }],
    ['see http://[::1]:9000/health', { kind: 'url', value: 'http://[::1]:9000/health', port: 9000, portStated: true }],
    ['at 10.0.0.1: it times out', { kind: 'ip', value: '10.0.0.1' }],
    ['portal.example.com expired', { kind: 'host', value: 'portal.example.com' }],
  ])('reads "%s" with its port', (text, address) => {
    expect(found(text)).toEqual([address]);
  });

  it.each([
    'port out of range on 10.0.0.1:99999',
    'port zero on db.example.com:0',
    'meet at 12:30 and 9:45',
    'not an address: [zz::1]:80 or [::1',
    'ratio 1:2:3 and a:1:2',
  ])('finds nothing in "%s"', (text) => {
    expect(found(text)).toEqual([]);
  });
});
