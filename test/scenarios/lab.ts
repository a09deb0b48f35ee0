// The scenario lab: the real systems the incidents happen on, started once per run and only those the run's
// incidents use. It also writes what an admin would configure for them: the services file entries (with the
// aliases and descriptions people use), the restart allow-list, the roots backups and probes may touch.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SAFE_PATH } from '../../src/adapters/devices/local-executor.ts';
import { loadBuiltinRunbooks } from '../../src/adapters/runbooks/runbook-files.ts';
import type { Runbook } from '../../src/core/runbooks/runbook.ts';
import {
  startCrmDb,
  startInventoryDb,
  startRedisService,
  type CrmDb,
  type InventoryDb,
  type RedisService,
} from './lab-databases.ts';
import { issueAuthority, issueCertificate, trustAuthority } from './lab-processes.ts';
import {
  startAuthLog,
  startClosedPort,
  startHttpService,
  startLogDisk,
  type AuthLog,
  type ClosedPort,
  type HttpService,
  type LogDisk,
} from './lab-services.ts';

/** Something the lab runs: its services file entries, what it looks like now (for "what changed"), its end. */
export interface Fixture {
  services: Array<Record<string, unknown>>;
  /** Facts that only a change to the system alters: pids, file hashes, rows, users' sessions. */
  snapshot(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface LabContext {
  dir: string;
  /** Where the operator's restart scripts live (on the local device's PATH). */
  bin: string;
  /** Puts a restart script on the local device's allow-list. */
  allow(command: string): void;
}

export interface Fixtures {
  inventory: InventoryDb;
  crm: CrmDb;
  sessions: RedisService;
  imageCache: RedisService;
  web: HttpService;
  shop: HttpService;
  pricing: HttpService;
  invoices: HttpService;
  kiosk: HttpService;
  ordersEu: HttpService;
  ordersUs: HttpService;
  portal: HttpService;
  billing: HttpService;
  billingLogs: LogDisk;
  analytics: HttpService;
  analyticsLogs: LogDisk;
  authLog: AuthLog;
  closedPort: ClosedPort;
}
export type FixtureId = keyof Fixtures;

const page = (heading: string, line: string) => `<h1>${heading}</h1><p>${line}</p>`;

type Starters = { [K in FixtureId]: (ctx: LabContext, lab: Lab) => Promise<Fixtures[K]> };

const STARTERS: Starters = {
  inventory: (ctx) => startInventoryDb(ctx),
  crm: (ctx) => startCrmDb(ctx),
  sessions: (ctx) =>
    startRedisService(ctx, {
      name: 'sessions',
      maxmemory: '4mb',
      policy: 'noeviction',
      restart: true,
      canary: 'session:user:',
      entry: {
        category: 'database',
        aliases: ['session store', 'login sessions'],
        description: 'keeps shoppers signed in and remembers their baskets between visits',
      },
    }),
  imageCache: (ctx) =>
    startRedisService(ctx, {
      name: 'image-cache',
      maxmemory: '4mb',
      policy: 'allkeys-lru',
      entry: {
        category: 'performance',
        aliases: ['picture cache', 'thumbnail cache'],
        description: 'cache of product photos and thumbnails for the shop; old entries drop out by design',
      },
    }),
  web: (ctx) =>
    startHttpService(ctx, {
      name: 'web',
      title: 'Northwind',
      text: page('Welcome to Northwind', 'Opening hours: 9 to 18.'),
      expected: 'Welcome to Northwind',
      restartDeclared: true,
      entry: {
        category: 'application',
        aliases: ['website', 'public site', 'homepage'],
        description: 'the public website customers see first: home page, opening hours, contact form',
      },
    }),
  shop: (ctx) =>
    startHttpService(ctx, {
      name: 'shop',
      title: 'Northwind Shop',
      text: page('Shop', 'Banner: {banner}'),
      expected: 'Banner:',
      restartDeclared: true,
      // The live banner was edited on purpose last week; nobody copied it to the baseline yet.
      config: {
        baseline: { banner: 'Autumn deals', currency: 'EUR' },
        live: { banner: 'Winter sale: 20% off boots', currency: 'EUR' },
        requiredKeys: ['currency'],
      },
      entry: {
        category: 'application',
        aliases: ['online shop', 'webshop', 'store front'],
        description: 'the online shop where customers browse, order and pay',
      },
    }),
  pricing: (ctx) =>
    startHttpService(ctx, {
      name: 'pricing',
      title: 'Price list',
      text: page('Price list', 'Widget: {widget} EUR incl. {vat_percent}% VAT'),
      expected: 'Price list',
      restartDeclared: true,
      // VAT went from 20 to 21 % on the 1st: a legitimate edit, the baseline still has the old rate.
      config: {
        baseline: { vat_percent: 20, currency: 'EUR' },
        live: { vat_percent: 21, currency: 'EUR' },
        requiredKeys: ['vat_percent', 'currency'],
      },
      entry: {
        category: 'application',
        aliases: ['prices', 'price list'],
        description: 'works out product prices and VAT for the shop and the invoices',
      },
    }),
  invoices: (ctx) =>
    startHttpService(ctx, {
      name: 'invoices',
      title: 'Invoices',
      text: page('Your invoices', 'Invoices are issued in {currency}.'),
      expected: 'Your invoices',
      restartDeclared: true,
      config: {
        baseline: { currency: 'EUR', footer: 'Northwind Ltd' },
        live: { currency: 'EUR', footer: 'Northwind Ltd' },
        requiredKeys: ['currency'],
      },
      entry: {
        category: 'application',
        aliases: ['invoice pages', 'customer invoices'],
        description: 'where customers see and save their invoices as PDF',
      },
    }),
  kiosk: (ctx) =>
    startHttpService(ctx, {
      name: 'kiosk',
      title: 'Kiosk',
      text: page('Find a product', 'Aisle finder'),
      expected: 'Find a product',
      restartDeclared: false,
      entry: {
        category: 'application',
        aliases: ['in-store screens', 'kiosk app'],
        description: 'the touch screens in the stores where shoppers look up which aisle a product is in',
      },
    }),
  ordersEu: (ctx) =>
    startHttpService(ctx, {
      name: 'orders-eu',
      title: 'Orders',
      text: page('Your orders', 'Europe'),
      expected: 'Your orders',
      restartDeclared: true,
      entry: {
        category: 'application',
        aliases: ['orders europe'],
        description: 'order history and order tracking pages for customers in Europe',
      },
    }),
  ordersUs: (ctx) =>
    startHttpService(ctx, {
      name: 'orders-us',
      title: 'Orders',
      text: page('Your orders', 'Americas'),
      expected: 'Your orders',
      restartDeclared: true,
      entry: {
        category: 'application',
        aliases: ['orders america'],
        description: 'order history and order tracking pages for customers in the Americas',
      },
    }),
  portal: async (ctx) => {
    const dir = path.join(ctx.dir, 'pki');
    mkdirSync(dir, { recursive: true });
    const ca = await issueAuthority(dir);
    const [long, short] = await Promise.all([
      issueCertificate(dir, 'portal-long', 365, ca),
      issueCertificate(dir, 'portal-short', 3, ca),
    ]);
    if (!(await trustAuthority(ca.cert))) throw new Error('lab: cannot make this process trust the lab CA');
    return startHttpService(ctx, {
      name: 'portal',
      title: 'Staff',
      text: page('Staff sign-in', 'Schedules and payslips'),
      expected: 'Staff sign-in',
      restartDeclared: false,
      tls: { ca, long, short },
      entry: {
        category: 'application',
        aliases: ['staff site', 'intranet', 'employee site'],
        description: 'staff sign-in site for schedules, holidays and payslips',
      },
    });
  },
  billing: (ctx) =>
    startHttpService(ctx, {
      name: 'billing',
      title: 'Billing',
      text: page('Billing', 'Payment runs'),
      expected: 'Billing',
      restartDeclared: true,
      entry: {
        category: 'application',
        aliases: ['payment runs', 'billing server'],
        description: 'runs the monthly payment collection and card charges',
      },
    }),
  billingLogs: async (ctx, lab) => startLogDisk(ctx, await lab.use('billing'), '16m'),
  analytics: (ctx) =>
    startHttpService(ctx, {
      name: 'analytics',
      title: 'Analytics',
      text: page('Analytics', 'Monthly figures'),
      expected: 'Monthly figures',
      restartDeclared: true,
      entry: {
        category: 'application',
        aliases: ['management figures', 'sales dashboards'],
        description: 'monthly sales figures, dashboards and spreadsheets for management',
      },
    }),
  analyticsLogs: async (ctx, lab) => startLogDisk(ctx, await lab.use('analytics'), '46m'),
  authLog: async (ctx) => startAuthLog(ctx),
  closedPort: async () => startClosedPort(),
};

/** The service each fixture declares (the name an admin gave it), for the tests of the phrasings. */
export const SERVICE_NAMES: Partial<Record<FixtureId, string>> = {
  inventory: 'inventory-db',
  crm: 'crm-db',
  sessions: 'sessions',
  imageCache: 'image-cache',
  web: 'web',
  shop: 'shop',
  pricing: 'pricing',
  invoices: 'invoices',
  kiosk: 'kiosk',
  ordersEu: 'orders-eu',
  ordersUs: 'orders-us',
  portal: 'portal',
  billing: 'billing',
  analytics: 'analytics',
};

export class Lab {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-lab-'));
  readonly bin = path.join(this.dir, 'ops-bin');
  private readonly allowed: string[] = [];
  private readonly started = new Map<FixtureId, Promise<Fixture>>();
  private readonly order: FixtureId[] = [];

  constructor() {
    mkdirSync(this.bin);
  }

  private context(): LabContext {
    return { dir: this.dir, bin: this.bin, allow: (command) => void this.allowed.push(command) };
  }

  /** Starts a fixture the first time it is asked for; the same one afterwards. */
  use<K extends FixtureId>(id: K): Promise<Fixtures[K]> {
    let started = this.started.get(id);
    if (!started) {
      started = STARTERS[id](this.context(), this) as Promise<Fixture>;
      this.started.set(id, started);
      this.order.push(id);
    }
    return started as Promise<Fixtures[K]>;
  }

  /** Starts them side by side (a run's lab is a dozen processes and two clusters). */
  async useAll(ids: Iterable<FixtureId>): Promise<void> {
    await Promise.all([...ids].map((id) => this.use(id)));
  }

  private async fixtures(): Promise<Fixture[]> {
    return Promise.all(this.order.map((id) => this.started.get(id)!));
  }

  /** The services file an admin would have written for what runs here. */
  async services(): Promise<Array<Record<string, unknown>>> {
    return (await this.fixtures()).flatMap((f) => f.services);
  }

  /** The runtime settings an admin would give this estate. */
  env(): Record<string, string> {
    return {
      TWISTERLAB_LOCAL_PATH: `${this.bin}:${SAFE_PATH}`,
      TWISTERLAB_LOCAL_ALLOW: this.allowed.join(';'),
      TWISTERLAB_BROWSER_ALLOW: '127.0.0.1/32',
      TWISTERLAB_PROBE_ALLOW: '127.0.0.1/32',
      TWISTERLAB_BACKUP_ROOTS: this.dir,
    };
  }

  /**
   * The shipped runbooks as this estate runs them: the auth log lives where the lab writes it, and "idle in a
   * transaction for long" means a second (the shipped ten minutes cannot be waited for in a test).
   */
  async runbooks(): Promise<Runbook[]> {
    const authLog = this.started.has('authLog') ? (await this.use('authLog')).path : undefined;
    return loadBuiltinRunbooks().map((r) => {
      const parameters = { ...r.parameters };
      if (parameters.idle_ms) parameters.idle_ms = { ...parameters.idle_ms, default: 1000 };
      if (parameters.log_path && authLog) parameters.log_path = { ...parameters.log_path, default: authLog };
      return r.parameters ? { ...r, parameters } : r;
    });
  }

  async snapshot(): Promise<Record<string, string>> {
    const parts = await Promise.all((await this.fixtures()).map((f) => f.snapshot()));
    return Object.assign({}, ...parts) as Record<string, string>;
  }

  async close(): Promise<void> {
    for (const f of await Promise.allSettled([...this.started.values()])) {
      if (f.status === 'fulfilled') await f.value.close().catch(() => undefined);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
