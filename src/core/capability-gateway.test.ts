import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineCapability } from './capability.ts';
import { CapabilityGateway } from './capability-gateway.ts';
import { silentLogger } from './logger.ts';
import { CapabilityRegistry } from './registry.ts';
import type { AuditEntry } from './ticket-repository.ts';

let wipes = 0;
const agent = defineAgent({
  id: 'test',
  description: 'capabilities of every risk',
  deps: {},
  capabilities: [
    defineCapability({
      id: 'test.read',
      description: 'reads',
      risk: 'read',
      input: z.strictObject({ fail: z.boolean().default(false) }),
      output: z.object({ value: z.number() }),
      run: async (input) => {
        if (input.fail) throw new Error('boom');
        return { value: 1 };
      },
    }),
    defineCapability({
      id: 'test.change',
      description: 'changes',
      risk: 'change',
      input: z.strictObject({}),
      output: z.object({ changed: z.boolean() }),
      run: async () => ({ changed: true }),
    }),
    defineCapability({
      id: 'test.wipe',
      description: 'destroys',
      risk: 'destructive',
      input: z.strictObject({}),
      output: z.object({}),
      run: async () => {
        wipes += 1;
        return {};
      },
    }),
  ],
});

function setup() {
  const registry = new CapabilityRegistry({ logger: silentLogger });
  registry.register(agent);
  const rows: AuditEntry[] = [];
  const gateway = new CapabilityGateway({ registry, audit: async (entries) => void rows.push(...entries) });
  return { gateway, rows };
}

const operator = { name: 'ops', role: 'operator' as const };
const viewer = { name: 'watcher', role: 'viewer' as const };

describe('CapabilityGateway', () => {
  it('runs a read for an operator and leaves no audit row when it succeeds', async () => {
    const { gateway, rows } = setup();
    const result = await gateway.call(operator, 'test.read', {}, 'rest');
    expect(result).toMatchObject({ ok: true, output: { value: 1 } });
    expect(rows).toEqual([]);
  });

  it('audits a change and a failed read with the caller and the surface', async () => {
    const { gateway, rows } = setup();
    await gateway.call(operator, 'test.change', {}, 'mcp');
    const failed = await gateway.call(operator, 'test.read', { fail: true }, 'rest');
    expect(failed).toMatchObject({ ok: false, error: { code: 'CAPABILITY_FAILED' } });
    expect(rows).toMatchObject([
      {
        ticketId: null,
        actor: 'ops',
        action: 'capability.invoked',
        details: { capability: 'test.change', risk: 'change', via: 'mcp', ok: true },
      },
      {
        actor: 'ops',
        action: 'capability.invoked',
        details: { capability: 'test.read', via: 'rest', ok: false, error: 'CAPABILITY_FAILED' },
      },
    ]);
  });

  it('refuses a destructive capability with APPROVAL_REQUIRED before running it, and audits the refusal', async () => {
    const { gateway, rows } = setup();
    await expect(gateway.call({ name: 'root', role: 'admin' }, 'test.wipe', {}, 'mcp')).rejects.toMatchObject({
      code: 'APPROVAL_REQUIRED',
    });
    expect(wipes).toBe(0);
    expect(rows).toMatchObject([
      {
        actor: 'root',
        action: 'capability.refused',
        details: { capability: 'test.wipe', via: 'mcp', error: 'APPROVAL_REQUIRED' },
      },
    ]);
  });

  it('refuses a viewer with FORBIDDEN', async () => {
    const { gateway, rows } = setup();
    await expect(gateway.call(viewer, 'test.read', {}, 'rest')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(rows[0]).toMatchObject({ actor: 'watcher', action: 'capability.refused', details: { error: 'FORBIDDEN' } });
  });

  it('answers CAPABILITY_NOT_FOUND for an unknown id', async () => {
    const { gateway } = setup();
    await expect(gateway.call(operator, 'test.nothing', {}, 'rest')).rejects.toMatchObject({
      code: 'CAPABILITY_NOT_FOUND',
    });
  });
});
