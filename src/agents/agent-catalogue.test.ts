import { describe, expect, it } from 'vitest';
import { AGENT_CATALOGUE, assertCatalogueRegistered, capabilityCatalogue } from './agent-catalogue.ts';

describe('agent catalogue', () => {
  it('describes every capability once, under its agent', () => {
    const ids = capabilityCatalogue().map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of capabilityCatalogue()) expect(d.id.startsWith(`${d.agent}.`)).toBe(true);
    expect(AGENT_CATALOGUE.map((a) => a.id)).toContain('monitoring');
  });

  it('accepts exactly its capabilities in order, and names the difference otherwise', () => {
    const ids = capabilityCatalogue().map((d) => d.id);
    expect(() => assertCatalogueRegistered(ids)).not.toThrow();
    expect(() => assertCatalogueRegistered(ids.slice(1))).toThrow(/differ from the agent catalogue/);
    expect(() => assertCatalogueRegistered([...ids, 'extra.capability'])).toThrow(/extra\.capability/);
  });
});
