import { describe, expect, it } from 'vitest';
import { extractContext } from '../context-extractor.ts';
import { decideScope } from './scope.ts';

const known = { devices: ['local'], services: [] };
const scopeOf = (text: string) => decideScope(text, extractContext(text, {}, known)).scope;

describe('scope', () => {
  it.each([
    'Our office router reboots itself every evening',
    'The modem we got last month drops the line at night',
    'Several devices in our shop stopped charging overnight',
    'My e-reader will not show the books I bought',
  ])("reads %j as the requester's own equipment", (text) => {
    expect(scopeOf(text)).toBe('customer_equipment');
  });

  it.each([
    'I purchased the sound bar from your store last week and it hums',
    'We bought this unit through your web shop and it will not start',
    'One of your products stopped working after two days',
  ])('reads %j as a product the requester bought', (text) => {
    expect(scopeOf(text)).toBe('customer_equipment');
  });

  it.each(['Should I take it to a local repair shop or send it back?', 'The main office cannot print since Monday'])(
    'does not take an everyday word in %j for the device of that name',
    (text) => {
      const context = extractContext(text, {}, { devices: ['local', 'main'], services: [] });
      expect(context.deviceId).toBeUndefined();
      expect(context.found.some((f) => f.kind === 'device')).toBe(false);
    },
  );

  it('still names the device when the ticket calls it one', () => {
    expect(extractContext('The disk of device local is full', {}, known).deviceId).toBe('local');
    expect(extractContext('local host is out of memory', {}, known).deviceId).toBe('local');
  });

  it('keeps our own servers ours', () => {
    expect(scopeOf('One of our production servers is out of memory')).toBe('estate');
  });

  it.each([
    'The smart TV in our lounge keeps losing its picture',
    'My game console shows a black screen after the last update',
    'The soundbar pairs but no audio comes out',
    'Our smart thermostat forgets its schedule every night',
    'The ink cartridge I put in yesterday is not recognised',
    'My fitness tracker stopped counting steps',
    'The doorbell camera goes offline every evening',
    'Our set-top box freezes when I change channels',
  ])("reads %j (consumer equipment, domain words) as the requester's own", (text) => {
    expect(scopeOf(text)).toBe('customer_equipment');
  });

  it.each(['The AWS console is slow to open', 'Our business units need a new report'])(
    "does not read %j as equipment in the requester's hands",
    (text) => {
      expect(scopeOf(text)).not.toBe('customer_equipment');
    },
  );

  it.each([
    'localhost is out of memory since noon',
    'Nothing answers on 127.0.0.1:8080 any more',
    'This server has been swapping all morning',
  ])('reads %j as this host, said in so many words', (text) => {
    expect(scopeOf(text)).toBe('estate');
  });

  it("takes an address given beside the requester's equipment for where that equipment is, not a machine of ours", () => {
    expect(scopeOf('My printer at 192.168.1.40 prints only half a page')).toBe('customer_equipment');
    expect(scopeOf('Our smart TV cannot open https://video.example.com any more')).toBe('customer_equipment');
  });

  it('keeps a declared service ours even when the requester names their own laptop', () => {
    const text = 'From my laptop the inventory app answers with errors';
    const context = extractContext(text, {}, { devices: ['local'], services: ['inventory'] });
    expect(decideScope(text, context).scope).toBe('estate');
  });

  it('leaves a fault that names no system unnamed', () => {
    expect(scopeOf('Everything is slow today and reports take ages')).toBe('unnamed');
  });
});
