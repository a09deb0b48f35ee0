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
  ])("reads %j as a product the requester bought", (text) => {
    expect(scopeOf(text)).toBe('customer_equipment');
  });

  it.each([
    'Should I take it to a local repair shop or send it back?',
    'The main office cannot print since Monday',
  ])('does not take an everyday word in %j for the device of that name', (text) => {
    const context = extractContext(text, {}, { devices: ['local', 'main'], services: [] });
    expect(context.deviceId).toBeUndefined();
    expect(context.found.some((f) => f.kind === 'device')).toBe(false);
  });

  it('still names the device when the ticket calls it one', () => {
    expect(extractContext('The disk of device local is full', {}, known).deviceId).toBe('local');
    expect(extractContext('local host is out of memory', {}, known).deviceId).toBe('local');
  });

  it('keeps our own servers ours', () => {
    expect(scopeOf('One of our production servers is out of memory')).toBe('estate');
  });
});
