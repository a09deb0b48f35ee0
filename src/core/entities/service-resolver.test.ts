import { describe, expect, it } from 'vitest';
import { extractContext, type KnownNames } from '../context-extractor.ts';

const known: KnownNames = {
  devices: [],
  services: ['redis', 'billing'],
  serviceProfiles: [
    {
      name: 'pricing',
      description: 'prices and discounts shown in the shop',
      host: 'pricing.internal',
      port: 8443,
      scheme: 'https',
    },
    {
      name: 'inventory-ui',
      description: 'inventory screens and stock levels for the warehouse',
      host: '10.0.0.20',
      port: 8080,
      scheme: 'http',
    },
    { name: 'crm-web', aliases: ['crm', 'sales app'], description: 'customer records for the sales team' },
    {
      name: 'session-cache',
      description: 'sessions store for the web shop',
      host: '127.0.0.1',
      port: 6390,
      scheme: 'redis',
    },
    { name: 'portal', description: 'employee portal', host: 'portal.example.com', scheme: 'https' },
    { name: 'order-api', host: '::1', port: 8081, scheme: 'http' },
    { name: 'webshop' },
  ],
};

const resolve = (text: string, names: KnownNames = known) => extractContext(text, {}, names);
const service = (text: string, names: KnownNames = known) => {
  const context = resolve(text, names);
  return {
    name: context.serviceName,
    match: context.found.find((f) => f.kind === 'service' && f.value === context.serviceName)?.match,
  };
};

describe('service resolution', () => {
  it.each([
    ['pricing is down', 'exact'],
    ['PRICING is down', 'exact'],
    ["Pricing's checkout page shows errors", 'exact'],
    ['(pricing) returns 500.', 'exact'],
    ['the prices are wrong since this morning', 'fuzzy'],
    ['price page broken', 'fuzzy'],
    ['pricng returns 500', 'fuzzy'],
    ['pricign returns 500', 'fuzzy'],
    ['Prcing is slow', 'fuzzy'],
    ['the pricing-service? no, https://pricing.internal:8443/api is down', 'address'],
  ])('finds pricing in "%s" (%s)', (text, match) => {
    expect(service(text)).toEqual({ name: 'pricing', match });
  });

  it.each([
    ['nobody in sales can open the CRM', 'crm-web', 'alias'],
    ['the Sales App is slow for everyone', 'crm-web', 'alias'],
    ['crm-web answers 502', 'crm-web', 'exact'],
    ['order api times out', 'order-api', 'exact'],
    ['Order_API times out', 'order-api', 'exact'],
    ['orderapi times out', 'order-api', 'exact'],
    ['the web shop is slow', 'webshop', 'exact'],
    ['the Sales-App is slow', 'crm-web', 'alias'],
    ['the inventory screens are frozen', 'inventory-ui', 'description'],
    ['Stock levels look wrong in the warehouse', 'inventory-ui', 'description'],
    ['the sessions store refuses to save', 'session-cache', 'description'],
    ['the certificate of portal expired', 'portal', 'exact'],
    ['https://portal.example.com/login shows a certificate warning', 'portal', 'address'],
    ['10.0.0.20:8080 is frozen', 'inventory-ui', 'address'],
    ['[::1]:8081 refuses connections', 'order-api', 'address'],
    ['redis is full', 'redis', 'exact'],
  ])('"%s" names %s (%s)', (text, name, match) => {
    expect(service(text)).toEqual({ name, match });
  });

  it.each([
    'my screen is blank and the app crashed',
    'the site is slow and the page will not load',
    'please help, nothing works on my laptop',
    'the printer in the office prints nothing',
    'sales figures look odd this week',
    'the web team wants a new server',
    'pricing.example.org is down', // a name inside a host name is the host's
    'api-pricing is another thing', // and inside a longer name, that name's
    'the PRI team and the prix fixe menu', // under five letters, no typo counts
    'the disk is filling up and killing the jobs', // one letter from billing, but the first one
    'the sales team cannot print', // people words say who, not what: "sales" alone is left
  ])('names no service in ordinary words: "%s"', (text) => {
    expect(resolve(text).serviceName).toBeUndefined();
  });

  it('prefers the surest match: a name over a near spelling, an alias over a description', () => {
    expect(service('prices are wrong on the crm')).toEqual({ name: 'crm-web', match: 'alias' });
    expect(service('inventory screens frozen, and pricing too')).toEqual({ name: 'pricing', match: 'exact' });
  });

  it('takes the first of several services named outright, and lists each', () => {
    const context = resolve('portal and pricing both fail');
    expect(context.serviceName).toBe('portal');
    expect(context.found.filter((f) => f.kind === 'service').map((f) => f.value)).toEqual(['portal', 'pricing']);
  });

  it('chooses neither of two services a near spelling fits equally, and names both', () => {
    const names: KnownNames = { devices: [], services: ['pricing', 'prices'] };
    expect(service('the prizes are wrong', names)).toEqual({ name: 'prices', match: 'fuzzy' });
    const tie = resolve('price is wrong', names);
    expect(tie.serviceName).toBeUndefined();
    expect(tie.ambiguous).toEqual([{ kind: 'service', mention: 'price', candidates: ['prices', 'pricing'] }]);
    expect(tie.found).toEqual([]);
  });

  it('chooses neither of two services sharing an alias, an address or as many description words', () => {
    const names: KnownNames = {
      devices: [],
      services: [],
      serviceProfiles: [
        {
          name: 'crm-eu',
          aliases: ['crm'],
          description: 'stock levels in Europe',
          host: '10.0.0.9',
          port: 80,
          scheme: 'http',
        },
        {
          name: 'crm-us',
          aliases: ['crm'],
          description: 'stock levels in America',
          host: '10.0.0.9',
          port: 80,
          scheme: 'http',
        },
      ],
    };
    expect(resolve('the CRM is down', names)).toMatchObject({
      ambiguous: [{ kind: 'service', mention: 'CRM', candidates: ['crm-eu', 'crm-us'] }],
    });
    expect(resolve('http://10.0.0.9/ is down', names)).toMatchObject({
      ambiguous: [{ kind: 'service', mention: 'http://10.0.0.9/', candidates: ['crm-eu', 'crm-us'] }],
    });
    expect(resolve('stock levels are wrong', names)).toMatchObject({
      ambiguous: [{ kind: 'service', mention: 'stock levels', candidates: ['crm-eu', 'crm-us'] }],
    });
    expect(resolve('the CRM is down', names).serviceName).toBeUndefined();
    expect(resolve('stock levels are wrong in Europe', names).serviceName).toBe('crm-eu');
  });

  it('reports no ambiguity when a surer mention decides, or when the service was given', () => {
    const names: KnownNames = { devices: [], services: ['pricing', 'prices', 'billing'] };
    const context = resolve('billing is down and price is wrong', names);
    expect(context).toMatchObject({ serviceName: 'billing' });
    expect(context.ambiguous).toBeUndefined();
    expect(extractContext('price is wrong', { serviceName: 'billing' }, names).ambiguous).toBeUndefined();
  });

  it('needs two description words, one of them not an everyday word', () => {
    expect(resolve('the inventory is off').serviceName).toBeUndefined();
    expect(resolve('the shop sessions are slow').serviceName).toBe('session-cache');
    expect(resolve('screens of the web app are slow').serviceName).toBeUndefined();
  });

  it('lets everyday words ("screens", "look") shared with another description not tie with a distinctive one', () => {
    const names: KnownNames = {
      devices: [],
      services: [],
      serviceProfiles: [
        { name: 'inventory-db', description: 'inventory screens and stock levels for the warehouse' },
        { name: 'kiosk', description: 'the touch screens in the stores where shoppers look up aisles' },
      ],
    };
    expect(service('someone said the inventory screens look behind', names)).toEqual({
      name: 'inventory-db',
      match: 'description',
    });
    expect(service('the screens in the store where people look up aisles are blank', names)).toEqual({
      name: 'kiosk',
      match: 'description',
    });
  });

  it('resolves an address only with its port: a bare host could be any of its services', () => {
    expect(resolve('10.0.0.20 is frozen').serviceName).toBeUndefined();
    expect(resolve('10.0.0.20:9090 is frozen').serviceName).toBeUndefined();
    expect(resolve('http://10.0.0.20:8080/stock is frozen').serviceName).toBe('inventory-ui');
  });

  it('builds its indexes once per list of names, whatever the number of tickets', () => {
    const many: KnownNames = { devices: [], services: Array.from({ length: 1000 }, (_, i) => `service-${i}`) };
    for (let i = 0; i < 50; i += 1)
      expect(resolve(`service-${i * 7} is down`, many).serviceName).toBe(`service-${i * 7}`);
  });
});
